import { DOCUMENTS, type LicenseRefusal, openDocument, type Verified } from './documents.js';
import { type ReceivedErrorCode, refuse } from './errors.js';
import type { Result } from './result.js';
import type { VendorKeys } from './terms.js';

/** Why the container asked the server: the user entered a serial, or CheckLicense found a check due. */
export type OnlineIntent = 'activate' | 'check';

/**
 * Which refusals of the activation server freeze the container, so that the next start asks
 * again. A mistyped or unknown serial during activation changes nothing: the user just retries.
 */
export function refusalFreezes(code: ReceivedErrorCode, intent: OnlineIntent): boolean {
  switch (code) {
    case 'SERIAL_BOUND_ELSEWHERE':
      return true;
    case 'LICENSE_REVOKED':
    case 'LICENSE_SUSPENDED':
    case 'LICENSE_EXPIRED':
    case 'SERIAL_UNKNOWN':
    // A computer released before its serial went to a site server stops at its next check.
    case 'SERIAL_HELD_BY_SITE':
      return intent === 'check';
    default:
      return false;
  }
}

/**
 * What a signed refusal of a release (a transfer's deactivation) leaves on the computer: the
 * server kept the binding (the transfer limit), so it stays licensed; the binding is not this
 * container's any more, so its grant goes; otherwise it stays frozen with its grant, and the next
 * start asks again.
 */
export function releaseRefusalOutcome(code: ReceivedErrorCode): 'still-licensed' | 'binding-gone' | 'frozen' {
  switch (code) {
    case 'TRANSFER_LIMIT_REACHED':
      return 'still-licensed';
    case 'NOT_BOUND_HERE':
      return 'binding-gone';
    default:
      return 'frozen';
  }
}

/** The facts a signed answer must repeat from the request, or it answers someone else. */
export interface AnswerExpectation {
  readonly nonce: string;
  readonly serial: string;
  readonly product: string;
  readonly containerKey: string;
  readonly fingerprintHash: string;
}

/** Names the first fact of a license grant that does not match the request, if any. */
export function grantMismatch(
  grant: { readonly [K in keyof AnswerExpectation]: string },
  expected: AnswerExpectation,
): keyof AnswerExpectation | undefined {
  return (Object.keys(expected) as Array<keyof AnswerExpectation>).find(
    (field) => grant[field] !== expected[field],
  );
}

/**
 * A signed refusal, checked against the request it answers and the code it came with: the
 * vendor's signature, then the nonce, serial, container and code. Only a refusal that passes may
 * change the container's state; any other answer is treated as the network failing. A code this
 * build does not know passes too: the vendor said it, and the rules leave the state as it is.
 */
export function verifyRefusal(
  envelope: unknown,
  keys: VendorKeys,
  expected: {
    readonly nonce: string;
    readonly serial: string;
    readonly containerKey: string;
    readonly code: ReceivedErrorCode;
  },
): Result<Verified<LicenseRefusal>> {
  if (envelope === undefined || envelope === null) return refuse('ANSWER_UNSIGNED');
  const refusal = openDocument(envelope, DOCUMENTS.licenseRefusal, keys.byKid);
  if (!refusal.ok) return refuse('ANSWER_UNSIGNED');
  const { nonce, serial, containerKey, code } = refusal.value;
  if (
    nonce !== expected.nonce ||
    serial !== expected.serial ||
    containerKey !== expected.containerKey ||
    code !== expected.code
  )
    return refuse('ANSWER_MISMATCH');
  return refusal;
}
