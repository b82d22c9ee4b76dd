import { newId } from '@keyward/core';
import type { Kysely, Transaction } from 'kysely';
import { WEBHOOK_EVENT_OF } from '../webhooks/webhook-events.js';
import { queueWebhookEvent } from '../webhooks/webhook-outbox.js';
import type { VendorDatabase } from './schema.js';

export const LICENCE_EVENT_TYPES = [
  'created',
  'activated',
  'rebound',
  'deactivated',
  'suspended',
  'reinstated',
  'updated',
  'expiring',
] as const;
export type LicenceEventType = (typeof LICENCE_EVENT_TYPES)[number];

export interface LicenceEvent {
  readonly id: string;
  readonly type: string;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

/**
 * Appends to a licence's history, inside the caller's transaction so the history never disagrees
 * with the state, and queues the webhook deliveries the event calls for in the same transaction.
 */
export async function recordLicenceEvent(
  db: Kysely<VendorDatabase> | Transaction<VendorDatabase>,
  licenceId: string,
  type: LicenceEventType,
  detail: Readonly<Record<string, unknown>>,
  at: string,
): Promise<void> {
  const id = newId('evt', Date.parse(at));
  await db
    .insertInto('licence_events')
    .values({ id, licence_id: licenceId, type, detail: JSON.stringify(detail), created_at: at })
    .execute();
  const webhookEvent = WEBHOOK_EVENT_OF[type];
  if (webhookEvent !== undefined)
    await queueWebhookEvent(db, { id, type: webhookEvent, data: { licenceId, ...detail }, at });
}

export async function licenceHistory(db: Kysely<VendorDatabase>, licenceId: string): Promise<LicenceEvent[]> {
  const rows = await db
    .selectFrom('licence_events')
    .selectAll()
    .where('licence_id', '=', licenceId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    createdAt: row.created_at,
  }));
}
