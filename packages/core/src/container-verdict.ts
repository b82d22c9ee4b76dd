import { needsOnlineCheck } from './check-license.js';
import { type KeywardError, keywardError } from './errors.js';
import type { ContainerState, VerificationMode } from './licensing.js';
import { daysBetween } from './time.js';

/** A clock that goes back by less than this (NTP corrections, a slow RTC) is not a roll-back. */
export const CLOCK_TOLERANCE_MS = 60 * 60 * 1000;

/** What the application knows, offline, about its license container. */
export interface ContainerView {
  readonly state: ContainerState;
  readonly evaluationStartedAt: Date;
  readonly evaluationDays: number;
  /** The latest time this container has seen; the clock going back behind it is a roll-back. */
  readonly lastSeenAt: Date;
  /** Present once the vendor has granted a license to this container (online activation). */
  readonly grant: {
    readonly verification: VerificationMode;
    readonly nextCheckAt: Date | null;
    readonly expiresAt: Date | null;
  } | null;
}

export type Verdict =
  | { readonly kind: 'evaluation'; readonly daysLeft: number }
  | { readonly kind: 'licensed'; readonly nextCheckAt: Date | null }
  | { readonly kind: 'check-online' }
  | { readonly kind: 'denied'; readonly error: KeywardError };

/**
 * The decision taken at every start, in a fixed order: tamper -> clock roll-back -> frozen ->
 * evaluation (no grant yet) -> expiry -> CheckLicense table -> licensed.
 */
export function decideVerdict(view: ContainerView, now: Date): Verdict {
  if (view.state === 'blocked') return { kind: 'denied', error: keywardError('TAMPER_DETECTED') };
  if (now.getTime() + CLOCK_TOLERANCE_MS < view.lastSeenAt.getTime()) {
    return { kind: 'denied', error: keywardError('CLOCK_ROLLBACK') };
  }
  // A frozen container asks the server whatever else it holds (a refused activation has no grant yet).
  if (view.state === 'frozen') return { kind: 'check-online' };
  const effectiveNow = now.getTime() > view.lastSeenAt.getTime() ? now : view.lastSeenAt;
  const { grant } = view;
  if (grant === null) {
    const daysLeft = view.evaluationDays - daysBetween(view.evaluationStartedAt, effectiveNow);
    return daysLeft > 0
      ? { kind: 'evaluation', daysLeft: Math.ceil(daysLeft) }
      : { kind: 'denied', error: keywardError('EVALUATION_EXPIRED') };
  }
  if (grant.expiresAt !== null && grant.expiresAt.getTime() <= effectiveNow.getTime()) {
    return { kind: 'denied', error: keywardError('LICENSE_EXPIRED') };
  }
  if (needsOnlineCheck(grant.verification, grant.nextCheckAt, effectiveNow)) return { kind: 'check-online' };
  return { kind: 'licensed', nextCheckAt: grant.nextCheckAt };
}
