import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckRecorder } from './check-recorder.js';

type Batch = ReadonlyMap<string, { at: string; count: number }>;

/** A database that refuses the first `refusals` writes, then stores what it is given. */
function flakyDatabase(refusals: number) {
  const stored: Array<Record<string, { at: string; count: number }>> = [];
  let left = refusals;
  return {
    stored,
    write: async (batch: Batch) => {
      if (left-- > 0) throw new Error('SQLITE_BUSY: database is locked');
      stored.push(Object.fromEntries(batch));
    },
  };
}

describe('the check recorder when the database refuses a write', () => {
  it('keeps the refused batch, adds what arrives meanwhile, and stores it all on a later try', async () => {
    const database = flakyDatabase(2);
    const recorder = new CheckRecorder(database.write, 1);
    const reported: number[] = [];
    recorder.reportFailuresTo((_error, retryInMs) => reported.push(retryInMs));
    recorder.record('bnd_a', '2026-11-26T10:00:00.000Z');
    recorder.record('bnd_a', '2026-11-26T10:00:01.000Z');
    await recorder.flush();
    recorder.record('bnd_a', '2026-11-26T10:00:02.000Z');
    recorder.record('bnd_b', '2026-11-26T10:00:02.000Z');
    await recorder.flush();
    assert.equal(reported.length, 2);
    assert.ok(reported.every((delay) => delay > 0 && delay <= 30_000));
    await recorder.flush();
    assert.deepEqual(database.stored, [
      {
        bnd_a: { at: '2026-11-26T10:00:02.000Z', count: 3 },
        bnd_b: { at: '2026-11-26T10:00:02.000Z', count: 1 },
      },
    ]);
  });

  it('retries by itself, with no unhandled rejection, and then goes on recording', async () => {
    const database = flakyDatabase(1);
    const recorder = new CheckRecorder(database.write, 1);
    let unhandled: unknown;
    const onUnhandled = (reason: unknown) => {
      unhandled = reason;
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      recorder.record('bnd_a', '2026-11-26T10:00:00.000Z');
      await recorder.flush();
      for (let i = 0; i < 100 && database.stored.length === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(database.stored, [{ bnd_a: { at: '2026-11-26T10:00:00.000Z', count: 1 } }]);
      recorder.record('bnd_a', '2026-11-26T10:00:05.000Z');
      await recorder.flush();
      assert.deepEqual(database.stored[1], { bnd_a: { at: '2026-11-26T10:00:05.000Z', count: 1 } });
      assert.equal(unhandled, undefined);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('waits longer after each refusal, never more than 30 s', async () => {
    const database = flakyDatabase(20);
    const recorder = new CheckRecorder(database.write, 250);
    const ceilings: number[] = [];
    recorder.reportFailuresTo((_error, retryInMs) => ceilings.push(retryInMs));
    for (let i = 0; i < 12; i++) {
      recorder.record('bnd_a', '2026-11-26T10:00:00.000Z');
      await recorder.flush();
    }
    // Jitter puts each delay between half its ceiling and the ceiling: 500 ms, 1 s, 2 s, ... 30 s.
    ceilings.forEach((delay, i) => {
      const ceiling = Math.min(250 * 2 ** (i + 1), 30_000);
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, `try ${i + 1}: ${delay} ms`);
    });
    assert.equal(database.stored.length, 0);
  });
});
