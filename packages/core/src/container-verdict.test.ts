import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ContainerView, decideUnreachable, decideVerdict, type Verdict } from './container-verdict.js';
import { keywardError } from './errors.js';
import type { ContainerState } from './licensing.js';

const now = new Date('2026-06-10T00:00:00Z');
const base: ContainerView = {
  state: 'evaluation',
  evaluationStartedAt: new Date('2026-06-01T00:00:00Z'),
  evaluationDays: 30,
  lastSeenAt: new Date('2026-06-09T00:00:00Z'),
  terms: null,
};
const terms = {
  verification: 'ongoing',
  nextCheckAt: new Date('2036-06-01T00:00:00Z'),
  expiresAt: null,
  graceDays: 0,
} as const;

function kindOf(verdict: Verdict): string {
  return verdict.kind === 'denied' ? `denied ${verdict.error.code}` : verdict.kind;
}

describe('start-up verdict, in its fixed order', () => {
  const rows: ReadonlyArray<[string, Partial<ContainerView>, Date, string]> = [
    ['evaluation within its days', {}, now, 'evaluation'],
    ['evaluation over', {}, new Date('2026-07-01T00:00:01Z'), 'denied EVALUATION_EXPIRED'],
    [
      'clock wound back to restart the evaluation',
      { lastSeenAt: new Date('2026-06-20T00:00:00Z') },
      new Date('2026-06-02T00:00:00Z'),
      'denied CLOCK_ROLLBACK',
    ],
    [
      'clock a few minutes behind: tolerated',
      { lastSeenAt: new Date('2026-06-10T00:10:00Z') },
      now,
      'evaluation',
    ],
    ['blocked beats everything', { state: 'blocked', terms }, now, 'denied TAMPER_DETECTED'],
    ['active, next check in the future', { state: 'active', terms }, now, 'licensed'],
    [
      'active, next check due',
      { state: 'active', terms: { ...terms, nextCheckAt: new Date('2026-06-09T00:00:00Z') } },
      now,
      'check-online',
    ],
    [
      'active, verification off',
      { state: 'active', terms: { ...terms, verification: 'off', nextCheckAt: null } },
      now,
      'licensed',
    ],
    ['frozen container checks online', { state: 'frozen', terms }, now, 'check-online'],
    ['frozen without a grant (activation refused) checks online', { state: 'frozen' }, now, 'check-online'],
    [
      'expired license',
      { state: 'active', terms: { ...terms, expiresAt: new Date('2026-06-05T00:00:00Z') } },
      now,
      'denied LICENSE_EXPIRED',
    ],
    [
      'expiry is judged by the latest time seen, not a wound-back clock',
      {
        state: 'active',
        lastSeenAt: new Date('2026-06-10T00:30:00Z'),
        terms: { ...terms, expiresAt: new Date('2026-06-10T00:15:00Z') },
      },
      now,
      'denied LICENSE_EXPIRED',
    ],
  ];
  for (const [what, change, at, expected] of rows) {
    it(what, () => assert.equal(kindOf(decideVerdict({ ...base, ...change }, at)), expected));
  }

  it('counts the evaluation days left', () => {
    assert.deepEqual(decideVerdict(base, now), { kind: 'evaluation', daysLeft: 21 });
  });
});

describe('a due check that cannot reach the server: grace, then a stop', () => {
  const dueSince = new Date('2026-06-08T00:00:00Z');
  const graceUntil = new Date('2026-06-11T00:00:00Z');
  const cause = keywardError('NETWORK_UNAVAILABLE');
  const rows: ReadonlyArray<[string, Date | null, ContainerState, Date, string]> = [
    ['inside the grace period', graceUntil, 'active', now, 'grace 1'],
    ['a day and a half left', graceUntil, 'grace', new Date('2026-06-09T12:00:00Z'), 'grace 2'],
    [
      'the grace period over',
      graceUntil,
      'grace',
      new Date('2026-06-11T00:00:01Z'),
      'denied GRACE_PERIOD_ENDED',
    ],
    ['no grace days', null, 'active', now, 'denied NETWORK_UNAVAILABLE'],
    ['frozen by a signed refusal: no grace', graceUntil, 'frozen', now, 'denied LICENSE_FROZEN'],
    ['releasing its serial: no grace', graceUntil, 'releasing', now, 'denied LICENSE_FROZEN'],
  ];
  for (const [what, until, state, at, expected] of rows) {
    it(what, () => {
      const decision = decideUnreachable({ kind: 'check-online', graceUntil: until }, state, at, cause);
      assert.equal(
        decision.kind === 'grace' ? `grace ${decision.daysLeft}` : `denied ${decision.error.code}`,
        expected,
      );
    });
  }

  it("the verdict names when grace ends: the next check date plus the policy's grace days", () => {
    const verdict = decideVerdict(
      { ...base, state: 'active', terms: { ...terms, nextCheckAt: dueSince, graceDays: 3 } },
      now,
    );
    assert.deepEqual(verdict, { kind: 'check-online', graceUntil });
  });

  it('a releasing or frozen container asks the server with no grace', () => {
    for (const state of ['releasing', 'frozen'] as const) {
      assert.deepEqual(decideVerdict({ ...base, state, terms }, now), {
        kind: 'check-online',
        graceUntil: null,
      });
    }
  });
});
