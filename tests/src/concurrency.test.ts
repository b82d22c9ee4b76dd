import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testComputer } from './support/computer.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

describe('one computer per serial, under concurrency', () => {
  let vendor: TestVendor;
  before(async () => {
    // 50 activations of one serial within the hour: more than the default limit of 20 lets through.
    vendor = await startTestVendor({ KEYWARD_RATE_ACTIVATIONS: '100' });
  });
  after(() => vendor.close());

  it('50 computers activating one serial at once: exactly one wins, 49 are told it is bound elsewhere', async () => {
    const issued = await vendor.issue({});
    const serial = issued.licenses[0]?.serial ?? '';
    const computers = await Promise.all(
      Array.from({ length: 50 }, (_, index) => testComputer(`race-${index}`, issued.sdkConfig)),
    );
    const results = await Promise.all(computers.map((pc) => pc.client.activate(serial)));
    const codes = results.map((result) => (result.ok ? 'ok' : result.error.code));
    assert.equal(codes.filter((code) => code === 'ok').length, 1, codes.join(','));
    assert.equal(codes.filter((code) => code === 'SERIAL_BOUND_ELSEWHERE').length, 49);

    const db = vendor.server.context.db;
    const licenseId = issued.licenses[0]?.id ?? '';
    const bindings = await db
      .selectFrom('bindings')
      .selectAll()
      .where('license_id', '=', licenseId)
      .execute();
    assert.equal(bindings.length, 1);
    const activations = await db
      .selectFrom('license_events')
      .select('id')
      .where('license_id', '=', licenseId)
      .where('type', '=', 'activated')
      .execute();
    assert.equal(activations.length, 1);
  });
});
