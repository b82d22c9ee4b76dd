import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expiryDue, type RenewableKey, renewalCompatibility } from './renewal-rules.js';

const key = (items: RenewableKey['contents']['items'], product = 'cad'): RenewableKey => ({
  product,
  contents: { items, expiresAt: '2027-01-01T00:00:00.000Z' },
});

describe('renewalCompatibility', () => {
  const current = key({ core: { users: 10 }, export: { users: 5 } });
  const cases: Array<[string, RenewableKey, string | true]> = [
    ['the same components and seats', key({ core: { users: 10 }, export: { users: 5 } }), true],
    ['more seats', key({ core: { users: 20 }, export: { users: 5 } }), true],
    ['an extra component', key({ core: { users: 10 }, export: { users: 5 }, render: { users: 1 } }), true],
    ['a missing component', key({ core: { users: 50 } }), 'MISSING_COMPONENT'],
    ['fewer seats of one component', key({ core: { users: 9 }, export: { users: 5 } }), 'FEWER_SEATS'],
    ['a missing seat kind', key({ core: { admins: 10 }, export: { users: 5 } }), 'FEWER_SEATS'],
    ['another product', key({ core: { users: 10 }, export: { users: 5 } }, 'cam'), 'OTHER_PRODUCT'],
  ];
  for (const [name, renewal, expected] of cases) {
    it(`${name}: ${expected === true ? 'compatible' : expected}`, () => {
      const verdict = renewalCompatibility(current, renewal);
      if (expected === true) assert.deepEqual(verdict, { compatible: true });
      else {
        assert.equal(verdict.compatible, false);
        if (!verdict.compatible) {
          assert.equal(verdict.mismatch, expected);
          assert.match(verdict.reason, /\w/);
        }
      }
    });
  }

  it('names the components and counts in its reason', () => {
    const verdict = renewalCompatibility(current, key({ core: { users: 3 } }));
    assert.equal(verdict.compatible, false);
    if (!verdict.compatible) assert.match(verdict.reason, /export/);
    const fewer = renewalCompatibility(current, key({ core: { users: 3 }, export: { users: 5 } }));
    if (!fewer.compatible) assert.match(fewer.reason, /core\/users \(3 instead of 10\)/);
  });
});

describe('expiryDue', () => {
  const now = new Date('2026-12-01T00:00:00.000Z');
  const cases: Array<[string | null, number, boolean]> = [
    [null, 30, false],
    ['2026-12-20T00:00:00.000Z', 30, true],
    ['2026-12-31T00:00:00.000Z', 30, true],
    ['2026-12-31T00:00:01.000Z', 30, false],
    ['2026-11-01T00:00:00.000Z', 7, true],
    ['2026-12-05T00:00:00.000Z', 0, false],
  ];
  for (const [expiresAt, days, due] of cases)
    it(`${expiresAt} with ${days} day(s) before: ${due ? 'due' : 'not due'}`, () =>
      assert.equal(expiryDue(expiresAt, now, days), due));
});
