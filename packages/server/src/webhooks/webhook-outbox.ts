import { newId } from '@keyward/core';
import type { Kysely, Transaction } from 'kysely';
import { enqueueJob } from '../jobs/job-queue.js';
import type { VendorDatabase } from '../storage/schema.js';
import { DELIVER_WEBHOOK_JOB, type WebhookEvent } from './webhook-events.js';

/**
 * Queues one delivery per subscribed endpoint, in the transaction of the change the event tells
 * of: there is a delivery if and only if the change happened. The event id is fixed here, so a
 * delivery retried, or run again after a crash, carries the same id for the receiver to spot.
 */
export async function queueWebhookEvent(
  db: Kysely<VendorDatabase> | Transaction<VendorDatabase>,
  event: {
    readonly id: string;
    readonly type: WebhookEvent;
    readonly data: Readonly<Record<string, unknown>>;
    readonly at: string;
  },
): Promise<void> {
  const endpoints = await db
    .selectFrom('webhook_endpoints')
    .select(['id', 'events'])
    .where('enabled', '=', 1)
    .execute();
  // The Standard Webhooks payload; the event id travels as the webhook-id header.
  const body = JSON.stringify({ type: event.type, timestamp: event.at, data: event.data });
  for (const endpoint of endpoints) {
    if (!(JSON.parse(endpoint.events) as string[]).includes(event.type)) continue;
    const deliveryId = newId('dlv');
    await db
      .insertInto('webhook_deliveries')
      .values({
        id: deliveryId,
        endpoint_id: endpoint.id,
        event_id: event.id,
        event_type: event.type,
        body,
        state: 'pending',
        created_at: event.at,
      })
      .execute();
    await enqueueJob(db, {
      kind: DELIVER_WEBHOOK_JOB,
      payload: { deliveryId },
      runAt: new Date(event.at),
      maxAttempts: 12,
    });
  }
}
