import { standardWebhookHeaders } from '@keyward/core';
import type { Job } from '../jobs/job-queue.js';
import type { WebhookStore } from './webhook-store.js';

/**
 * The job that delivers one webhook: POST the event with Standard Webhooks headers, signed with
 * the endpoint's secret over the event id, this attempt's time and the body. A 2xx answer
 * acknowledges it; anything else fails the attempt, and the job runner tries again with backoff.
 */
export function deliverWebhook(store: WebhookStore, now: () => Date) {
  return async (job: Job): Promise<void> => {
    const { deliveryId } = job.payload as { deliveryId: string };
    const delivery = await store.forDelivery(deliveryId);
    if (delivery === undefined || delivery.state === 'delivered') return;
    const at = now();
    const timestamp = Math.floor(at.getTime() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...standardWebhookHeaders(delivery.secret, delivery.eventId, timestamp, delivery.body),
        },
        body: delivery.body,
        signal: AbortSignal.timeout(10_000),
        // A redirect could send the signed event somewhere the vendor never registered.
        redirect: 'manual',
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 300 && response.status < 400)
        error = `The receiver answered HTTP ${response.status}, a redirect: redirects are not followed; register the final address.`;
      else if (!response.ok) error = `The receiver answered HTTP ${response.status}.`;
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
    }
    const state = error === null ? 'delivered' : job.attempt >= job.maxAttempts ? 'failed' : 'pending';
    await store.recordAttempt(deliveryId, { state, status, error, at: at.toISOString() });
    if (error !== null) throw new Error(error);
  };
}
