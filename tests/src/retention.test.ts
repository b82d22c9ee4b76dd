import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

const DAY = 86_400_000;

describe('retention: what has served its use is pruned every hour', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor({ KEYWARD_RETENTION_DAYS: '30' });
  });
  after(() => vendor.close());

  it('finished jobs and deliveries past the retention, and spent nonces no replay could use, are deleted; the rest stays', async () => {
    const { db } = vendor.server.context;
    const now = vendor.clock.now().getTime();
    const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
    const job = (id: string, state: string, doneDaysAgo: number | null) => ({
      id,
      kind: 'test.retained',
      payload: '{}',
      state,
      run_at: at(400),
      max_attempts: 1,
      locked_by: null,
      locked_until: null,
      last_error: null,
      created_at: at(400),
      done_at: doneDaysAgo === null ? null : at(doneDaysAgo),
    });
    await db
      .insertInto('jobs')
      .values([
        job('job_old_done', 'done', 40),
        job('job_old_failed', 'failed', 31),
        job('job_recent_done', 'done', 10),
        // Pending, however old: still to run (its kind has no handler here, so it just waits).
        job('job_old_pending', 'pending', null),
      ])
      .execute();
    const issued = await vendor.issue();
    const licenseId = issued.licenses[0]?.id ?? '';
    await db
      .insertInto('used_nonces')
      .values([
        { nonce: 'nonce-spent-4-days-ago', license_id: licenseId, used_at: at(4) },
        { nonce: 'nonce-spent-yesterday', license_id: licenseId, used_at: at(1) },
      ])
      .execute();

    const endpoint = await vendor.admin<{ id: string }>('POST', '/v1/webhooks', {
      url: 'http://127.0.0.1:9/hooks',
      events: ['license.revoked'],
    });
    const delivery = (id: string, state: string, daysAgo: number) => ({
      id,
      endpoint_id: endpoint.id,
      event_id: `evt_${id}`,
      event_type: 'license.revoked',
      body: '{}',
      state,
      last_status: null,
      last_error: null,
      created_at: at(daysAgo),
      delivered_at: state === 'delivered' ? at(daysAgo) : null,
    });
    await db
      .insertInto('webhook_deliveries')
      .values([
        delivery('dlv_old_delivered', 'delivered', 45),
        delivery('dlv_recent_delivered', 'delivered', 2),
        delivery('dlv_old_pending', 'pending', 45),
      ])
      .execute();

    // The next hour's pruning comes due.
    vendor.clock.advanceSeconds(3600);
    const left = async () => ({
      jobs: (await db.selectFrom('jobs').select('id').where('kind', '=', 'test.retained').execute())
        .map((row) => row.id)
        .sort(),
      nonces: (await db.selectFrom('used_nonces').select('nonce').execute()).map((row) => row.nonce).sort(),
      deliveries: (
        await db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('endpoint_id', '=', endpoint.id)
          .execute()
      )
        .map((row) => row.id)
        .sort(),
    });
    const expected = {
      jobs: ['job_old_pending', 'job_recent_done'],
      nonces: ['nonce-spent-yesterday'],
      deliveries: ['dlv_old_pending', 'dlv_recent_delivered'],
    };
    // The start's own pruning may already have taken part of the rows (it races the inserts
    // above), so wait for the whole expected state rather than for any one deletion.
    let remaining = await left();
    for (let wait = 0; wait < 100 && !isDeepStrictEqual(remaining, expected); wait++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      remaining = await left();
    }
    assert.deepEqual(remaining, expected);
  });

  it('the retention is a setting, refused outside 1 to 3650 days', async () => {
    const { readServerConfig } = await import('@keyward/server');
    for (const days of ['0', '3651', 'forever', '1.5']) {
      const config = readServerConfig({ KEYWARD_RETENTION_DAYS: days });
      assert.equal(config.ok ? 'ok' : config.error.code, 'CONFIG_INVALID', days);
    }
  });
});
