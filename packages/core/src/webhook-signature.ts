import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';

/** How old a delivery's timestamp may be before a receiver should refuse it as a replay. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * Standard Webhooks (standardwebhooks.com): the vendor server's webhooks and a site server's
 * notifications, so a receiver verifies either with any Standard Webhooks library. The secret is
 * `whsec_` and the key's base64; the signature is `v1,` and HMAC-SHA256 of
 * `<id>.<timestamp>.<body>`, base64.
 */
export const STANDARD_WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new signing secret: 32 random bytes, as Standard Webhooks libraries read it. */
export function newStandardWebhookSecret(): string {
  return `${STANDARD_WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function standardWebhookKey(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith(STANDARD_WEBHOOK_SECRET_PREFIX)
      ? secret.slice(STANDARD_WEBHOOK_SECRET_PREFIX.length)
      : secret,
    'base64',
  );
}

function standardSignature(secret: string, id: string, timestamp: number, body: string): Buffer {
  return createHmac('sha256', standardWebhookKey(secret)).update(`${id}.${timestamp}.${body}`).digest();
}

/** The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers of one delivery. */
export function standardWebhookHeaders(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${standardSignature(secret, id, timestamp, body).toString('base64')}`,
  };
}

/**
 * For a receiver: checks a Standard Webhooks delivery. The signature header may list several
 * signatures (space-separated, during a secret's rotation); one valid `v1` signature suffices.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: { readonly id?: string; readonly timestamp?: string; readonly signature?: string },
  body: string,
  now: Date = new Date(),
): Result<{ readonly id: string; readonly timestamp: number }> {
  const timestamp = Number(headers.timestamp);
  if (headers.id === undefined || !Number.isSafeInteger(timestamp) || headers.signature === undefined)
    return refuse(
      'SIGNATURE_INVALID',
      'The webhook has no webhook-id, webhook-timestamp or webhook-signature header.',
    );
  const expected = standardSignature(secret, headers.id, timestamp, body);
  const valid = headers.signature.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    const given = Buffer.from(value ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!valid) return refuse('SIGNATURE_INVALID');
  if (Math.abs(now.getTime() / 1000 - timestamp) > WEBHOOK_TOLERANCE_SECONDS)
    return refuse('REQUEST_STALE', 'The webhook delivery is too old: it may be a replay.');
  return ok({ id: headers.id, timestamp });
}
