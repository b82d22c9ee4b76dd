import type { ErrorCode } from './errors.js';

/** Why the container asked the server: the user entered a serial, or CheckLicense found a check due. */
export type OnlineIntent = 'activate' | 'check';

/**
 * Which refusals of the activation server freeze the container, so that the next start asks
 * again. A mistyped or unknown serial during activation changes nothing: the user just retries.
 */
export function refusalFreezes(code: ErrorCode, intent: OnlineIntent): boolean {
  switch (code) {
    case 'SERIAL_BOUND_ELSEWHERE':
      return true;
    case 'LICENSE_REVOKED':
    case 'LICENSE_SUSPENDED':
    case 'LICENSE_EXPIRED':
    case 'SERIAL_UNKNOWN':
      return intent === 'check';
    default:
      return false;
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
 * A container takes on the vendor's record of the contents (and its update step) when a grant
 * starts a new binding: first activation, or the serial arriving after a transfer. Grants for a
 * binding it already holds leave its contents to the update packages.
 */
export function grantBringsContents(heldBindingId: string | null, grantBindingId: string): boolean {
  return heldBindingId !== grantBindingId;
}
