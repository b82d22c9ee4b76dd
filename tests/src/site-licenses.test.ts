import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LicenseView } from '@keyward/site';
import { siteCall, startTestSite, type TestSite } from './support/site-server.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

/** Rewrites the signed payload inside a key file and re-armors it with a good checksum: only the signature can tell. */
async function widened(file: string): Promise<string> {
  const { decodeArmor, encodeArmor } = await import('@keyward/core');
  const armored = decodeArmor(file, 'SITE LICENSE');
  assert.ok(armored.ok);
  const envelope = JSON.parse(Buffer.from(armored.value.body).toString('utf8'));
  const terms = JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8'));
  terms.contents.items.cad.nodes = 1000;
  envelope.payload = Buffer.from(JSON.stringify(terms)).toString('base64url');
  return encodeArmor({ ...armored.value, body: Buffer.from(JSON.stringify(envelope)) });
}

describe('site license manager', () => {
  let vendor: TestVendor;
  let site: TestSite;
  let issued: Issued;
  const serial = () => issued.licenses[0]?.serial ?? '';

  before(async () => {
    vendor = await startTestVendor();
    site = await startTestSite(vendor);
    issued = await vendor.issue({ items: { cad: { nodes: 5 } } }, 3);
  });
  after(async () => {
    await site.close();
    await vendor.close();
  });

  it('adds a key file, lists it with its origin and the stations holding it, exports it and removes it', async () => {
    const file = await site.keyFile(serial());
    const added = await site.admin<LicenseView>('POST', '/v1/site/licenses', { file });
    assert.deepEqual(
      { serial: added.serial, items: added.items, origin: added.origin },
      { serial: serial(), items: { cad: { nodes: 5 } }, origin: 'manual' },
    );
    const station = site.station('pc-17', issued.sdkConfig);
    const lease = await station.lease('cad', 'nodes');
    assert.ok(lease.ok);
    const { licenses } = await site.admin<{ licenses: LicenseView[] }>('GET', '/v1/site/licenses');
    assert.deepEqual(
      licenses.map((license) => [license.serial, license.propagation.stations.map((s) => s.stationId)]),
      [[serial(), ['pc-17']]],
    );

    const exported = await site.admin<{ file: string }>('POST', `/v1/site/licenses/${serial()}/export`);
    assert.equal(exported.file, file);
    await site.admin('DELETE', `/v1/site/licenses/${serial()}`);
    assert.deepEqual(
      (await site.admin<{ licenses: LicenseView[] }>('GET', '/v1/site/licenses')).licenses,
      [],
    );
    const heartbeat = await station.heartbeat(lease.value);
    assert.equal(heartbeat.ok ? 'kept' : heartbeat.error.code, 'LEASE_NOT_FOUND');

    // The exported file is a key file like the vendor's: it can be added again.
    await site.admin('POST', '/v1/site/licenses', { file: exported.file });
    const again = await siteCall(site, 'POST', '/v1/site/licenses', { file: exported.file });
    assert.equal(again.body.code, 'SITE_LICENSE_EXISTS');
    await site.admin('DELETE', `/v1/site/licenses/${serial()}`);
  });

  it('refuses an edited key file, a damaged one and one issued for another site, and changes nothing', async () => {
    const file = await site.keyFile(issued.licenses[1]?.serial ?? '');
    const other = await startTestSite(vendor);
    try {
      // Another serial: the one above is this site's, and a serial is issued to one site only.
      const foreign = await other.keyFile(issued.licenses[2]?.serial ?? '');
      const refusals = [
        await siteCall(site, 'POST', '/v1/site/licenses', { file: await widened(file) }),
        await siteCall(site, 'POST', '/v1/site/licenses', {
          file: file.replace(/\n(.)/, (_, c) => `\n${c === 'A' ? 'B' : 'A'}`),
        }),
        await siteCall(site, 'POST', '/v1/site/licenses', { file: foreign }),
      ];
      assert.deepEqual(
        refusals.map((refusal) => [refusal.status, refusal.body.code]),
        [
          [400, 'SIGNATURE_INVALID'],
          [400, 'FILE_CORRUPTED'],
          [400, 'WRONG_SITE'],
        ],
      );
      assert.deepEqual(
        (await site.admin<{ licenses: LicenseView[] }>('GET', '/v1/site/licenses')).licenses,
        [],
      );
    } finally {
      await other.close();
    }
  });

  it('names what is missing: an unknown serial, and a site the vendor has not certified yet', async () => {
    const missing = await siteCall(site, 'POST', '/v1/site/licenses/NOPE-NOPE/export');
    assert.deepEqual([missing.status, missing.body.code], [404, 'SITE_LICENSE_NOT_FOUND']);
    const unregistered = await startTestSite(vendor, { register: false });
    try {
      const refused = await siteCall(unregistered, 'POST', '/v1/site/licenses', {
        file: await site.keyFile(serial()),
      });
      assert.deepEqual([refused.status, refused.body.code], [409, 'SITE_NOT_REGISTERED']);
    } finally {
      await unregistered.close();
    }
  });

  it('refuses every administration route to a caller without the site token', async () => {
    const routes: ReadonlyArray<readonly ['GET' | 'POST' | 'DELETE', string, unknown?]> = [
      ['GET', '/v1/site'],
      ['POST', '/v1/site/certificate', { certificate: {}, vendorKeys: [] }],
      ['POST', '/v1/site/licenses', { file: 'x' }],
      ['GET', '/v1/site/licenses'],
      ['POST', `/v1/site/licenses/${serial()}/export`],
      ['DELETE', `/v1/site/licenses/${serial()}`],
      ['POST', '/v1/site/tasks/license-expiration/run'],
    ];
    for (const [method, path, body] of routes) {
      for (const token of ['', 'kw_site_made-up', vendor.token]) {
        const refused = await siteCall({ url: site.url, token }, method, path, body);
        assert.deepEqual(
          [method, path, refused.status, refused.body.code],
          [method, path, 401, 'UNAUTHORIZED'],
        );
      }
    }
  });
});
