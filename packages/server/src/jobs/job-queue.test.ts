import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryDelaySeconds } from './job-queue.js';

describe('the wait before a failed job runs again', () => {
  const cases: ReadonlyArray<readonly [attempt: number, random: number, seconds: number]> = [
    [1, 0, 1],
    [1, 0.999, 0.5005],
    [2, 0, 2],
    [3, 0.5, 3],
    [4, 0, 8],
    [10, 0, 512],
    [11, 0, 600],
    [11, 0.5, 450],
    [50, 0.999, 300.3],
  ];
  for (const [attempt, random, seconds] of cases) {
    it(`after attempt ${attempt} failed, with jitter ${random}: ${seconds} s`, () => {
      assert.ok(Math.abs(retryDelaySeconds(attempt, random) - seconds) < 1e-9);
    });
  }
  it('jitter spreads jobs that failed together over half the wait', () => {
    const waits = new Set(Array.from({ length: 50 }, () => retryDelaySeconds(8)));
    assert.ok(waits.size > 40);
    for (const wait of waits) assert.ok(wait > 64 && wait <= 128);
  });
});
