import type { Policy } from './licensing.js';

/** What a vendor gets when a policy setting is not given. */
export const POLICY_DEFAULTS = {
  checkIntervalDays: 30,
  evaluationDays: 30,
  maxTransfers: 3,
  graceDays: 7,
  verification: 'ongoing',
  durationDays: null,
  items: {},
  counters: {},
} as const satisfies Partial<Policy>;

/** Bounds of each policy setting, enforced by the API schema. */
export const POLICY_LIMITS = {
  checkIntervalDays: { minimum: 1, maximum: 36_500 },
  evaluationDays: { minimum: 0, maximum: 365 },
  maxTransfers: { minimum: 0, maximum: 1_000_000 },
  graceDays: { minimum: 0, maximum: 365 },
  durationDays: { minimum: 1, maximum: 36_500 },
} as const;
