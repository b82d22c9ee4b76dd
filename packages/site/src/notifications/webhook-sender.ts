import { standardWebhookHeaders } from '@keyward/core';
import type { SiteEvent } from '../site-events.js';

/** How long a receiver may take to answer before the try counts as failed. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * The body of a delivery, in the Standard Webhooks shape: the event's kind as `type`, and the
 * event itself, as the hook receives it, as `data`.
 */
export function webhookBody(event: SiteEvent): string {
  return JSON.stringify({ type: event.kind, timestamp: event.occurredAt, data: event });
}

/**
 * POSTs a notification to the webhook, signed with its secret (Standard Webhooks headers; the
 * event's id is the webhook-id, so a receiver can drop a retried delivery it already has). Any
 * 2xx answer acknowledges it; anything else rejects with the reason.
 */
export async function sendWebhook(url: string, secret: string, event: SiteEvent, now: Date): Promise<void> {
  const body = webhookBody(event);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...standardWebhookHeaders(secret, event.id, Math.floor(now.getTime() / 1000), body),
    },
    body,
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`The webhook receiver answered HTTP ${response.status}.`);
}
