import type { KeyObject } from 'node:crypto';
import { sign, verify } from 'node:crypto';
import { fromBase64Url, toBase64Url, utf8 } from './crypto/encoding.js';
import type { Signer } from './crypto/signed-envelope.js';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';

/** The header a webhook delivery carries: `t=<unix seconds>,kid=<vendor key id>,sig=<Ed25519, base64url>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'keyward-signature';

/** How old a delivery's timestamp may be before a receiver should refuse it as a replay. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const signingInput = (timestamp: number, body: string) => utf8(`keyward/v1/webhook\n${timestamp}.${body}`);

export function signWebhook(body: string, timestamp: number, signer: Signer): string {
  return `t=${timestamp},kid=${signer.kid},sig=${toBase64Url(sign(null, signingInput(timestamp, body), signer.privateKey))}`;
}

/**
 * For a receiver: checks a delivery's signature with the vendor's public key and its timestamp
 * against the receiver's clock. The body must be the raw bytes received.
 */
export function verifyWebhook(
  header: string | undefined,
  body: string,
  keyFor: (kid: string) => KeyObject | undefined,
  now: Date = new Date(),
): Result<{ readonly timestamp: number }> {
  const fields = Object.fromEntries(
    (header ?? '').split(',').map((part) => part.trim().split('=', 2) as [string, string]),
  );
  const timestamp = Number(fields.t);
  const signature = fields.sig === undefined ? undefined : fromBase64Url(fields.sig);
  if (!Number.isSafeInteger(timestamp) || fields.kid === undefined || signature?.length !== 64) {
    return refuse('SIGNATURE_INVALID', 'The webhook has no valid Keyward-Signature header.');
  }
  const key = keyFor(fields.kid);
  if (key === undefined)
    return refuse('UNKNOWN_KEY_ID', `The webhook is signed with unknown key "${fields.kid}".`);
  if (!verify(null, signingInput(timestamp, body), key, signature)) return refuse('SIGNATURE_INVALID');
  if (Math.abs(now.getTime() / 1000 - timestamp) > WEBHOOK_TOLERANCE_SECONDS) {
    return refuse('REQUEST_STALE', 'The webhook delivery is too old: it may be a replay.');
  }
  return ok({ timestamp });
}
