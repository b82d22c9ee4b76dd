import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lastValidDay } from './time.js';

describe('lastValidDay', () => {
  const cases: Array<[string, string]> = [
    ['2027-06-02T00:00:00.000Z', '2027-06-01'],
    ['2027-06-01T12:30:00.000Z', '2027-06-01'],
    ['2027-01-01T00:00:00.000Z', '2026-12-31'],
    ['2027-06-01T23:59:59.999Z', '2027-06-01'],
  ];
  for (const [expiresAt, day] of cases)
    it(`a license ending at ${expiresAt} is valid through ${day}`, () =>
      assert.equal(lastValidDay(expiresAt), day));
});
