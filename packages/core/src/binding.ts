import { createHash } from 'node:crypto';
import { type KeywardError, keywardError } from './errors.js';
import { sameComputerParts } from './fingerprint.js';
import type { Binding, License, Policy } from './licensing.js';
import { addDays } from './time.js';

/** What the vendor does when a computer presents a serial (the Activation Server table). */
export type BindingDecision =
  /** The serial is not in use: bind it to this computer. */
  | 'bind'
  /** The serial is registered to this computer: succeed. */
  | 'same-computer'
  /** The serial is registered to another computer: fail, and the container freezes. */
  | 'other-computer';

type ComputerIdentity = Pick<Binding, 'fingerprintHash' | 'fingerprintParts'>;

/** The same computer: the same fingerprint, or the same but for one part (see `sameComputerParts`). */
export function decideBinding(
  current: ComputerIdentity | undefined,
  asking: ComputerIdentity,
): BindingDecision {
  if (current === undefined) return 'bind';
  const same =
    current.fingerprintHash === asking.fingerprintHash ||
    sameComputerParts(current.fingerprintParts, asking.fingerprintParts);
  return same ? 'same-computer' : 'other-computer';
}

/** Why a license may not be used right now, checked in this order: revoked -> suspended -> expired. */
export function licenseRefusal(
  license: Pick<License, 'status' | 'expiresAt'>,
  now: Date,
): KeywardError | undefined {
  if (license.status === 'revoked') return keywardError('LICENSE_REVOKED');
  if (license.status === 'suspended') return keywardError('LICENSE_SUSPENDED');
  if (license.expiresAt !== null && Date.parse(license.expiresAt) <= now.getTime()) {
    return keywardError('LICENSE_EXPIRED', `This license expired on ${license.expiresAt.slice(0, 10)}.`);
  }
  return undefined;
}

/**
 * How many transfers a license allows: its policy's limit plus the transfers the vendor granted
 * it above that. A policy without a limit stays without one.
 */
export function effectiveMaxTransfers(
  policy: Pick<Policy, 'maxTransfers'>,
  license: Pick<License, 'extraTransfers'>,
): number | null {
  return policy.maxTransfers === null ? null : policy.maxTransfers + license.extraTransfers;
}

export function transferRefusal(
  transfersUsed: number,
  maxTransfers: number | null,
): KeywardError | undefined {
  if (maxTransfers === null || transfersUsed < maxTransfers) return undefined;
  return keywardError(
    'TRANSFER_LIMIT_REACHED',
    `This license has been transferred ${transfersUsed} of ${maxTransfers} allowed times; ask the vendor for more transfers.`,
    { transfersUsed, maxTransfers },
  );
}

/** The next online check a successful check sets; none when verification is off. */
export function nextCheckDate(
  policy: Pick<Policy, 'verification' | 'checkIntervalDays'>,
  now: Date,
): Date | null {
  return policy.verification === 'off' ? null : addDays(now, policy.checkIntervalDays);
}

export function licenseExpiry(policy: Pick<Policy, 'durationDays'>, createdAt: Date): Date | null {
  return policy.durationDays === null ? null : addDays(createdAt, policy.durationDays);
}

/**
 * A computer is known to the vendor by a hash of its fingerprint, salted with the product so the
 * same computer cannot be followed across vendors' products.
 */
export function fingerprintHash(productCode: string, fingerprint: string): string {
  return createHash('sha256').update(`keyward/fingerprint/v1\n${productCode}\n${fingerprint}`).digest('hex');
}

/**
 * Whether the server must verify the container's signature before answering a check. It must
 * before any change (binding a serial, taking over a binding with new container keys). It need
 * not when the serial is bound to exactly this computer and container: the answer is a grant for
 * that container, the same whoever asks, and useless without the container. Verifying only then
 * halves the cost of the periodic check, the server's hottest path.
 */
export function checkNeedsProof(current: BindingFacts | undefined, request: BindingFacts): boolean {
  return current === undefined || bindingFactsDiffer(current, request);
}

type BindingFacts = Pick<
  Binding,
  'fingerprintHash' | 'fingerprintParts' | 'containerKey' | 'containerBoxKey'
>;

/**
 * Whether a request names other binding facts than those on record: container keys, fingerprint,
 * or any fingerprint part. Each is a change the grant then signs, so each needs the container's proof
 * and is written to the binding.
 */
export function bindingFactsDiffer(current: BindingFacts, request: BindingFacts): boolean {
  const partNames = new Set([
    ...Object.keys(current.fingerprintParts),
    ...Object.keys(request.fingerprintParts),
  ]);
  return (
    current.fingerprintHash !== request.fingerprintHash ||
    current.containerKey !== request.containerKey ||
    current.containerBoxKey !== request.containerBoxKey ||
    [...partNames].some((name) => current.fingerprintParts[name] !== request.fingerprintParts[name])
  );
}

/** Days before its expiry that a license is announced as expiring (webhook `license.expiring`). */
export const EXPIRY_NOTICE_DAYS = 7;

/** Whether a license is within its expiry notice: not yet expired, expiring within the notice period. */
export function isExpiringSoon(
  expiresAt: string | null,
  now: Date,
  noticeDays: number = EXPIRY_NOTICE_DAYS,
): boolean {
  if (expiresAt === null) return false;
  const at = Date.parse(expiresAt);
  return at > now.getTime() && at <= addDays(now, noticeDays).getTime();
}
