import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

describe('the durable job queue', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  // These jobs are due an hour ahead, by the test's clock: the server's own job runner leaves them alone.
  const inAnHour = () => new Date(Date.now() + 3_600_000);

  it('hands each due job to exactly one of several racing workers', async () => {
    const queue = vendor.server.context.jobs;
    const now = inAnHour();
    const ids = await Promise.all(
      Array.from({ length: 40 }, (_, n) => queue.enqueue({ kind: 'test.race', payload: { n }, runAt: now })),
    );
    const claimed: string[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, worker) => {
        for (;;) {
          const job = await queue.claim(`racer-${worker}`, ['test.race'], inAnHour(), 60_000);
          if (job === undefined) return;
          claimed.push(job.id);
          await queue.complete(job, `racer-${worker}`, inAnHour());
        }
      }),
    );
    assert.equal(claimed.length, ids.length);
    assert.deepEqual(new Set(claimed), new Set(ids));
  });

  it('gives a job whose worker died to another worker once the lease runs out, counting the attempt', async () => {
    const queue = vendor.server.context.jobs;
    const start = new Date(Date.now() + 7_200_000);
    await queue.enqueue({ kind: 'test.lease', payload: {}, runAt: start });
    const first = await queue.claim('dies', ['test.lease'], start, 1_000);
    assert.equal(first?.attempt, 1);
    assert.equal(
      await queue.claim('other', ['test.lease'], start, 1_000),
      undefined,
      'leased: nobody else gets it',
    );
    const later = new Date(start.getTime() + 1_001);
    const second = await queue.claim('other', ['test.lease'], later, 1_000);
    assert.deepEqual([second?.id, second?.attempt], [first?.id, 2]);
    await queue.fail(second ?? assert.fail(), 'other', later, 'boom');
    const row = await vendor.server.context.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', first?.id ?? '')
      .executeTakeFirstOrThrow();
    assert.equal(row.state, 'pending');
    assert.ok(Date.parse(row.run_at) > later.getTime(), 'retried later, with backoff');
    assert.equal(row.last_error, 'boom');
  });
});
