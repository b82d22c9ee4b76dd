import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mailRetryDelaySeconds } from './mail-retry.js';

describe('the mail retry schedule', () => {
  const cases: ReadonlyArray<readonly [attempt: number, seconds: number]> = [
    [0, 60],
    [1, 60],
    [2, 120],
    [3, 240],
    [4, 480],
    [5, 960],
    [6, 1920],
    [7, 3600],
    [8, 3600],
    [50, 3600],
    [5000, 3600],
  ];
  for (const [attempt, seconds] of cases) {
    it(`after try ${attempt} failed, waits ${seconds} s`, () => {
      assert.equal(mailRetryDelaySeconds(attempt), seconds);
    });
  }

  it('never waits less than before, so a mail server that stays down is not tried more and more often', () => {
    for (let attempt = 1; attempt < 200; attempt++) {
      assert.ok(mailRetryDelaySeconds(attempt + 1) >= mailRetryDelaySeconds(attempt));
    }
  });
});
