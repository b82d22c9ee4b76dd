import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expiryWording, lastValidDay } from './time.js';

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

describe('expiryWording', () => {
  const cases: Array<[string | null, string]> = [
    [null, 'perpetual'],
    ['2027-04-01T00:00:00.000Z', 'valid through 2027-03-31 (UTC)'],
    ['2027-01-01T00:00:00.000Z', 'valid through 2026-12-31 (UTC)'],
    ['2027-03-31T14:05:00.000Z', 'valid through 2027-03-31 (ends 14:05 UTC)'],
    ['2027-03-31T23:59:59.999Z', 'valid through 2027-03-31 (ends 23:59 UTC)'],
  ];
  for (const [expiresAt, text] of cases)
    it(`${expiresAt ?? 'no expiry'} reads "${text}"`, () => assert.equal(expiryWording(expiresAt), text));
});
