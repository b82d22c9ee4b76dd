import { needsOnlineCheck } from './check-license.js';
import { type KeywardError, keywardError, type ReceivedError } from './errors.js';
import type { ContainerState, VerificationMode } from './licensing.js';
import { addDays, daysBetween } from './time.js';

/** A clock that goes back by less than this (NTP corrections, a slow RTC) is not a roll-back. */
export const CLOCK_TOLERANCE_MS = 60 * 60 * 1000;

/** What the application knows, offline, about its license container. */
export interface ContainerView {
  readonly state: ContainerState;
  readonly evaluationStartedAt: Date;
  readonly evaluationDays: number;
  /** The latest time this container has seen; the clock going back behind it is a roll-back. */
  readonly lastSeenAt: Date;
  /** The vendor-signed terms, once the vendor has granted a license to this container. */
  readonly terms: {
    readonly verification: VerificationMode;
    readonly nextCheckAt: Date | null;
    readonly expiresAt: Date | null;
    readonly graceDays: number;
  } | null;
}

export type Verdict =
  | { readonly kind: 'evaluation'; readonly daysLeft: number }
  | { readonly kind: 'licensed'; readonly nextCheckAt: Date | null }
  /** Ask the server; `graceUntil` is how long the application may run if it cannot be reached. */
  | { readonly kind: 'check-online'; readonly graceUntil: Date | null }
  | { readonly kind: 'denied'; readonly error: KeywardError };

/**
 * The decision taken at every start, in a fixed order: tamper -> clock roll-back -> releasing ->
 * frozen -> evaluation (no terms yet) -> expiry -> CheckLicense table -> licensed.
 */
export function decideVerdict(view: ContainerView, now: Date): Verdict {
  if (view.state === 'blocked') return { kind: 'denied', error: keywardError('TAMPER_DETECTED') };
  if (now.getTime() + CLOCK_TOLERANCE_MS < view.lastSeenAt.getTime()) {
    return { kind: 'denied', error: keywardError('CLOCK_ROLLBACK') };
  }
  // A container releasing its serial, or frozen by a signed refusal, runs only on the server's word.
  if (view.state === 'releasing' || view.state === 'frozen')
    return { kind: 'check-online', graceUntil: null };
  const effectiveNow = now.getTime() > view.lastSeenAt.getTime() ? now : view.lastSeenAt;
  const { terms } = view;
  if (terms === null) {
    const daysLeft = view.evaluationDays - daysBetween(view.evaluationStartedAt, effectiveNow);
    return daysLeft > 0
      ? { kind: 'evaluation', daysLeft: Math.ceil(daysLeft) }
      : { kind: 'denied', error: keywardError('EVALUATION_EXPIRED') };
  }
  if (terms.expiresAt !== null && terms.expiresAt.getTime() <= effectiveNow.getTime()) {
    return { kind: 'denied', error: keywardError('LICENSE_EXPIRED') };
  }
  if (needsOnlineCheck(terms.verification, terms.nextCheckAt, effectiveNow)) {
    const graceUntil =
      terms.nextCheckAt === null || terms.graceDays === 0
        ? null
        : addDays(terms.nextCheckAt, terms.graceDays);
    return { kind: 'check-online', graceUntil };
  }
  return { kind: 'licensed', nextCheckAt: terms.nextCheckAt };
}

export type UnreachableVerdict =
  | { readonly kind: 'grace'; readonly daysLeft: number; readonly until: Date }
  | { readonly kind: 'denied'; readonly error: ReceivedError };

/**
 * A due check that could not reach the server (or got no signed answer): unreachable is not
 * refused, so the application runs until its grace period ends. Without one it may not run.
 */
export function decideUnreachable(
  verdict: Extract<Verdict, { kind: 'check-online' }>,
  state: ContainerState,
  now: Date,
  cause: ReceivedError,
): UnreachableVerdict {
  if (state === 'frozen' || state === 'releasing')
    return { kind: 'denied', error: keywardError('LICENSE_FROZEN') };
  const { graceUntil } = verdict;
  if (graceUntil === null) return { kind: 'denied', error: cause };
  if (graceUntil.getTime() <= now.getTime()) {
    return {
      kind: 'denied',
      error: keywardError(
        'GRACE_PERIOD_ENDED',
        `The online check is overdue and the grace period ended on ${graceUntil.toISOString().slice(0, 10)}: connect this computer to the license server.`,
      ),
    };
  }
  return { kind: 'grace', daysLeft: Math.ceil(daysBetween(now, graceUntil)), until: graceUntil };
}
