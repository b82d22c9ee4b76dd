import { type Err, err } from './result.js';

/**
 * The closed list of refusals Keyward can give, each with the sentence a person reads when no
 * more specific one is supplied. Codes are stable: clients and scripts branch on them.
 */
export const errorCatalogue = {
  MALFORMED_REQUEST: 'The request body is not valid JSON.',
  VALIDATION_FAILED: 'The request is missing a field or has a field of the wrong form.',
  UNAUTHORIZED: 'A valid API token is required for this operation.',
  FORBIDDEN: "This token's scope does not allow this operation: use a token with more access.",
  TOKEN_NOT_FOUND: 'No API token has this id.',
  RATE_LIMITED:
    'Too many requests of this kind: wait as long as the answer says (Retry-After), then try again.',
  LAST_ADMIN_TOKEN:
    'This is the last admin token that can still be used: create another admin token before revoking it.',
  NOT_FOUND: 'Nothing exists at this address.',
  CONFLICT: 'Another change to the same record was made at the same moment; read it again and retry.',
  PRODUCT_NOT_FOUND: 'No product has this id or code.',
  PRODUCT_CODE_TAKEN: 'Another product already uses this code.',
  PRODUCT_ARCHIVED:
    'This product is archived: it takes no new policies or licenses (the licenses it has keep working).',
  POLICY_NOT_FOUND: 'No policy has this id or name.',
  POLICY_NAME_TAKEN: 'Another policy of this product already has this name.',
  POLICY_AMBIGUOUS:
    'Policies of several products have this name: name the product too, or give the policy id.',
  POLICY_ARCHIVED:
    'This policy is archived: no new licenses are issued under it (the licenses it has keep working).',
  LICENSE_NOT_FOUND: 'No license has this id or serial number.',
  LICENSE_STILL_VALID:
    'This license can still be used: revoke it, or wait until it expires, before archiving it.',
  LICENSE_ARCHIVED: 'This license is archived: it takes no updates.',
  SERIAL_INVALID: 'This is not a valid serial number: check it for a mistyped character.',
  SERIAL_UNKNOWN: 'This serial number is not known to the license server.',
  LICENSE_SUSPENDED: 'This license has been suspended by the vendor: contact the vendor.',
  LICENSE_REVOKED: 'This license has been revoked by the vendor.',
  LICENSE_EXPIRED: 'This license has expired: ask the vendor for a renewal.',
  SERIAL_BOUND_ELSEWHERE:
    'This serial number is in use on another computer: transfer it from there first (keyward key deactivate), or ask the vendor to release it.',
  SERIAL_HELD_BY_SITE:
    'This serial number is held by a site server: use a seat from that site server (ask its administrator), not an activation on this computer.',
  SERIAL_ON_COMPUTER:
    'This serial number is activated on a computer: release it first (keyward key deactivate there, or the vendor releases it), then issue it to the site server.',
  NOT_BOUND_HERE: 'This serial number is not activated on this computer.',
  NOT_BOUND: 'This serial number is not activated on any computer.',
  TRANSFER_LIMIT_REACHED: 'This license has been transferred as many times as its policy allows.',
  TRANSFERS_UNLIMITED: "This license's policy allows unlimited transfers: there is nothing to grant.",
  REQUEST_REPLAYED: 'This request has already been processed and cannot be used again.',
  REQUEST_STALE: 'The request is too old or dated in the future: check the computer clock.',
  SIGNATURE_INVALID: 'The signature is invalid: the data was not signed by the expected key.',
  UNKNOWN_KEY_ID: 'The data is signed or encrypted with a key this installation does not know.',
  FILE_CORRUPTED: 'The file is corrupted (checksum mismatch).',
  WRONG_FILE_KIND: 'This file is not of the expected kind.',
  WRONG_KEY: 'This data is meant for another key or license container.',
  DECRYPTION_FAILED: 'The data could not be decrypted with this key.',
  WRONG_COMPUTER: 'This license container belongs to another computer: activate the serial on this one.',
  TAMPER_DETECTED:
    'The license container was tampered with (an older or altered copy was restored); the license is blocked: activate online again.',
  CLOCK_ROLLBACK:
    'The computer clock is behind the time this license was last used: correct the clock and start again.',
  GRACE_PERIOD_ENDED:
    'The online check is overdue and the grace period has ended: connect this computer to the license server.',
  ANSWER_UNSIGNED:
    "The license server's answer is not signed by the vendor: it is treated as a network failure; try again later.",
  ACTIVATION_PENDING:
    'An activation request was made for this computer: enter the Unlock Key the vendor sent back.',
  UNLOCK_NEEDS_FILE: "This license's terms are too large for an Unlock Key code: send the Unlock Key file.",
  EVALUATION_EXPIRED: 'The evaluation period has ended: activate a serial number to go on.',
  NOT_ACTIVATED: 'No serial number is activated in this license container: activate one.',
  ALREADY_ACTIVATED: 'This computer already holds an activated license.',
  LICENSE_FROZEN:
    'The license is frozen until an online check succeeds: connect this computer to the license server.',
  ANSWER_MISMATCH: "The server's answer does not belong to this request.",
  NETWORK_UNAVAILABLE: 'The license server could not be reached.',
  CONFIG_INVALID: 'The configuration is not valid.',
  METHOD_NOT_ALLOWED: 'This address does not answer that method.',
  PAYLOAD_TOO_LARGE: 'The request body is too large.',
  URI_TOO_LONG: 'The request address is too long.',
  DATABASE_UNAVAILABLE: 'The license server cannot use its database right now: try again in a moment.',
  DATABASE_DAMAGED: 'The database is damaged: restore it from a backup.',
  DATABASE_MISSING:
    "The vendor's database is missing or empty beside its master key: restore the database from a backup.",
  FROM_MISMATCH: "The key's contents do not match the vendor's record of them.",
  ALREADY_APPLIED: 'This update is already applied to the key; nothing changed.',
  PACKAGE_OUTDATED: 'This update is older than the contents of the key; nothing changed.',
  PACKAGE_OUT_OF_ORDER: 'An earlier update must be applied first; nothing changed.',
  UPDATE_NEEDS_FILE:
    "This update is too large for a code: make a request file on the customer's computer (keyward key request --out FILE) and issue the update from it.",
  CODE_MISTYPED: 'The code has a mistyped character.',
  COUNTER_EXHAUSTED: 'This usage counter is used up.',
  NAME_NOT_FOUND: 'The key holds nothing of this name.',
  DEALER_NOT_FOUND: 'No dealer has this id or login.',
  DEALER_LOGIN_TAKEN: 'Another dealer already uses this login.',
  LOGIN_FAILED: 'The username or password is wrong.',
  ORDER_NOT_FOUND: 'No order has this id.',
  ORDER_NOT_AUTHORIZED: 'This order has not been authorized by the vendor yet.',
  ORDER_ALREADY_AUTHORIZED: 'This order is already authorized.',
  ORDER_PROCESSED:
    'This order has already been processed: look it up with the confirmation username and password from its e-mail.',
  ORDER_CANCELLED: 'This order has been cancelled: it can no longer be processed.',
  ORDER_EXPIRED:
    'This order has expired and has been cancelled; it will not be invoiced. To add licenses, place a new order.',
  ORDER_WRONG_KEY: 'This order is for another product or license than this key.',
  LICENSE_WRONG_PRODUCT: 'This license is a license of another product.',
  AUTHORIZATION_INVALID: 'The order authorization number is wrong.',
  ORDER_LOCKED:
    'Too many wrong authorization numbers were entered for this order, so it is locked: ask the vendor to unlock it.',
  SITE_NOT_FOUND: 'No site server has this id.',
  SITE_KEY_TAKEN: 'This site key is already registered for another site server.',
  SITE_NOT_REGISTERED:
    'This site server has no certificate from the vendor yet: register its key with the vendor (keyward admin site register) and install the certificate.',
  WRONG_SITE: 'This file was issued for another site server.',
  SITE_LICENSE_ISSUED_ELSEWHERE:
    'This serial number is already issued to another site server: a serial is held by one site server at a time.',
  SITE_LICENSE_NOT_FOUND: 'The site server holds no license with this serial number.',
  SITE_LICENSE_EXISTS:
    'The site server already holds this license (remove it first to add another issue of it).',
  SITE_LICENSE_EXPIRED: 'This license has expired: it can no longer lend seats.',
  ITEM_NOT_LICENSED: 'No license on this site server holds this item and seat for this product.',
  NO_SEAT_AVAILABLE: 'Every seat of this item is in use: try again when a station releases one.',
  LEASE_NOT_FOUND: 'The site server holds no lease with this id (it was released or its license removed).',
  LEASE_EXPIRED: 'This lease missed its heartbeats and was released: lease a seat again.',
  BORROW_TOO_LONG: 'A seat cannot be borrowed for that long: the site allows fewer days.',
  RENEWAL_NOT_FOUND: 'No renewal has this id.',
  RENEWAL_EXISTS: 'A renewal is already waiting for this license: remove it first to tie another one.',
  RENEWAL_INVALID: 'A license cannot renew itself or a license of another product.',
  DONATION_EXCEEDS_LICENSE: 'The donation holds more seats than the license it comes from.',
  NEIGHBOUR_NOT_FOUND: 'This site server has no neighbour with this site id.',
  NEIGHBOUR_EXISTS: 'This site server already has a neighbour with this site id.',
  NEIGHBOUR_NOT_TRUSTED:
    'This site server does not take donations from that site server: add it as a parent neighbour first.',
  NEIGHBOUR_UNREACHABLE:
    'The neighbour site server did not answer: it will be offered the seats again when it is back.',
  NEIGHBOUR_LICENSE_NOT_DONATABLE:
    'A license received from a neighbour cannot be donated on: only its donor can donate its seats.',
  NEIGHBOUR_HOLDS_SEATS:
    'This neighbour holds seats donated by this site server: take them back first (keyward site license unpropagate).',
  NOT_ENOUGH_SEATS: 'The license has not enough free seats for this.',
  VENDOR_UNREACHABLE: 'The vendor server did not answer: the task runs again on its next turn.',
  VENDOR_URL_MISSING:
    "This site server does not know the vendor server's address: set KEYWARD_SITE_VENDOR_URL (or --vendor-url).",
  NOTIFICATION_NOT_FOUND: 'No notification has this id.',
  INTERNAL_ERROR: 'The license server failed to process the request.',
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

/**
 * A code as a Keyward server answered it: one of this catalogue, or one a newer server added
 * since. A program branches on the codes it knows and shows the message of any other.
 */
export type ReceivedErrorCode = ErrorCode | (string & {});

export interface KeywardError<Code extends ReceivedErrorCode = ErrorCode> {
  readonly code: Code;
  readonly message: string;
  /** Facts a program may use (e.g. the limit that was reached); never needed to read the message. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** A refusal as a client received it from a server: its code may be one this build does not know. */
export type ReceivedError = KeywardError<ReceivedErrorCode>;

export function keywardError(
  code: ErrorCode,
  message?: string,
  detail?: Readonly<Record<string, unknown>>,
): KeywardError {
  const error: KeywardError = { code, message: message ?? errorCatalogue[code] };
  return detail === undefined ? error : { ...error, detail };
}

/** Shorthand for returning a refusal from a function whose result is a `Result`. */
export function refuse(
  code: ErrorCode,
  message?: string,
  detail?: Readonly<Record<string, unknown>>,
): Err<KeywardError> {
  return err(keywardError(code, message, detail));
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalogue, value);
}

/** Whether a server's `code` has the form of one (UPPER_SNAKE), whether this build knows it or not. */
export function isReceivedErrorCode(value: unknown): value is ReceivedErrorCode {
  return typeof value === 'string' && /^[A-Z][A-Z_]{0,63}$/.test(value);
}
