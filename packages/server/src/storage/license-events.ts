import { newId } from '@keyward/core';
import type { Kysely, Transaction } from 'kysely';
import { WEBHOOK_EVENT_OF } from '../webhooks/webhook-events.js';
import { queueWebhookEvent } from '../webhooks/webhook-outbox.js';
import type { VendorDatabase } from './schema.js';

export const LICENSE_EVENT_TYPES = [
  'created',
  'activated',
  'rebound',
  'deactivated',
  'suspended',
  'reinstated',
  'updated',
  'expiring',
  'released',
  'transfers_granted',
  'revoked',
  'edited',
  'archived',
] as const;
export type LicenseEventType = (typeof LICENSE_EVENT_TYPES)[number];

/** Who did it and why, for the history of what the vendor does to a license over the admin API. */
export interface Audit {
  readonly reason: string | null;
  /** The admin token used, by its id and the name it was created with. */
  readonly by: { readonly id: string; readonly name: string };
}

export interface LicenseEvent {
  readonly id: string;
  readonly type: string;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

/**
 * Appends to a license's history, inside the caller's transaction so the history never disagrees
 * with the state, and queues the webhook deliveries the event calls for in the same transaction.
 */
export async function recordLicenseEvent(
  db: Kysely<VendorDatabase> | Transaction<VendorDatabase>,
  licenseId: string,
  type: LicenseEventType,
  detail: Readonly<Record<string, unknown>>,
  at: string,
): Promise<void> {
  const id = newId('evt', Date.parse(at));
  await db
    .insertInto('license_events')
    .values({ id, license_id: licenseId, type, detail: JSON.stringify(detail), created_at: at })
    .execute();
  const webhookEvent = WEBHOOK_EVENT_OF[type];
  if (webhookEvent !== undefined)
    await queueWebhookEvent(db, { id, type: webhookEvent, data: { licenseId, ...detail }, at });
}

export async function licenseHistory(db: Kysely<VendorDatabase>, licenseId: string): Promise<LicenseEvent[]> {
  const rows = await db
    .selectFrom('license_events')
    .selectAll()
    .where('license_id', '=', licenseId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    createdAt: row.created_at,
  }));
}
