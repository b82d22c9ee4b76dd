import { type KeywardError, keywardError } from './errors.js';
import type { License, LicenseStatus, Policy } from './licensing.js';
import { err, ok, type Result } from './result.js';

/** The longest reason the vendor may give for a support-desk action; it is kept in the history. */
export const AUDIT_REASON_MAX_LENGTH = 500;

/** The most transfers a license may be granted above its policy's limit, in all. */
export const MAX_EXTRA_TRANSFERS = 1_000_000;

/**
 * Control characters, lone surrogates, line and paragraph separators and the bidirectional
 * overrides: what would let a reason disguise itself or forge a line in a log or a terminal.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;

/** Why the vendor did something, as it will be kept in the history: one printable line, not blank. */
export function auditReason(text: string): Result<string> {
  const reason = text.trim();
  if (reason === '')
    return err(keywardError('VALIDATION_FAILED', 'Give a reason: it is kept in the history.'));
  if (reason.length > AUDIT_REASON_MAX_LENGTH)
    return err(
      keywardError('VALIDATION_FAILED', `The reason is longer than ${AUDIT_REASON_MAX_LENGTH} characters.`),
    );
  if (UNPRINTABLE.test(reason))
    return err(
      keywardError(
        'VALIDATION_FAILED',
        'The reason must be one line of printable text (no control characters).',
      ),
    );
  return ok(reason);
}

/** What a status change does: nothing when the license is already there. */
export type StatusChange = 'change' | 'unchanged';

/**
 * Whether the vendor may move a license from one status to another. Suspending and reinstating
 * go back and forth; revoking is final: a revoked license is never suspended or reinstated.
 */
export function decideStatusChange(from: LicenseStatus, to: LicenseStatus): Result<StatusChange> {
  if (from === to) return ok('unchanged');
  if (from === 'revoked') return err(revokedIsFinal(to));
  return ok('change');
}

function revokedIsFinal(to: LicenseStatus): KeywardError {
  return keywardError(
    'LICENSE_REVOKED',
    to === 'active'
      ? 'This license has been revoked by the vendor and cannot be reinstated; issue a new license instead.'
      : 'This license has been revoked by the vendor; revoking is final.',
  );
}

/**
 * Why the vendor may not grant `add` more transfers to a license, checked in this order: revoked
 * (it moves nowhere again) -> a policy without a limit (nothing to raise) -> the amount -> the
 * most a license may be granted in all.
 */
export function transferGrantRefusal(
  license: Pick<License, 'status' | 'extraTransfers'>,
  policy: Pick<Policy, 'maxTransfers'>,
  add: number,
): KeywardError | undefined {
  if (license.status === 'revoked')
    return keywardError(
      'LICENSE_REVOKED',
      'This license has been revoked by the vendor: it cannot be transferred again.',
    );
  if (policy.maxTransfers === null) return keywardError('TRANSFERS_UNLIMITED');
  if (!Number.isSafeInteger(add) || add < 1)
    return keywardError(
      'VALIDATION_FAILED',
      'The number of transfers to add must be a whole number of at least 1.',
    );
  if (license.extraTransfers + add > MAX_EXTRA_TRANSFERS)
    return keywardError(
      'VALIDATION_FAILED',
      `A license can be granted at most ${MAX_EXTRA_TRANSFERS} transfers above its policy's limit; it has ${license.extraTransfers}.`,
      { extraTransfers: license.extraTransfers, maxExtraTransfers: MAX_EXTRA_TRANSFERS },
    );
  return undefined;
}
