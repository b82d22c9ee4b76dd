import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { needsOnlineCheck } from './check-license.js';
import type { VerificationMode } from './licensing.js';

const now = new Date('2026-06-01T12:00:00Z');
const past = new Date('2026-05-31T12:00:00Z');
const future = new Date('2036-05-29T12:00:00Z');

describe('CheckLicense decision table', () => {
  const rows: ReadonlyArray<[VerificationMode, string, Date | null, boolean]> = [
    ['off', 'empty', null, false],
    ['off', 'in the past', past, false],
    ['off', 'in the future', future, false],
    ['ongoing', 'empty', null, true],
    ['ongoing', 'in the past', past, true],
    ['ongoing', 'exactly now', now, true],
    ['ongoing', 'in the future', future, false],
    ['frozen', 'empty', null, true],
    ['frozen', 'in the past', past, true],
    ['frozen', 'in the future', future, true],
  ];
  for (const [verification, when, nextCheckAt, online] of rows) {
    it(`${verification} with next check ${when}: ${online ? 'online check' : 'no online check'}`, () => {
      assert.equal(needsOnlineCheck(verification, nextCheckAt, now), online);
    });
  }
});
