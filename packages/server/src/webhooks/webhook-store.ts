import { newId } from '@keyward/core';
import type { VendorDb } from '../storage/database.js';
import type { WebhookEvent } from './webhook-events.js';

export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly events: readonly WebhookEvent[];
  readonly enabled: boolean;
  readonly createdAt: string;
}

export interface WebhookDelivery {
  readonly id: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly state: string;
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
}

/** Webhook endpoints the vendor registered, and the record of every delivery. */
export class WebhookStore {
  constructor(private readonly db: VendorDb) {}

  async create(url: string, events: readonly WebhookEvent[], at: string): Promise<WebhookEndpoint> {
    const endpoint = { id: newId('whk'), url, events, enabled: true, createdAt: at };
    await this.db
      .insertInto('webhook_endpoints')
      .values({ id: endpoint.id, url, events: JSON.stringify(events), enabled: 1, created_at: at })
      .execute();
    return endpoint;
  }

  async list(): Promise<WebhookEndpoint[]> {
    const rows = await this.db.selectFrom('webhook_endpoints').selectAll().orderBy('id').execute();
    return rows.map((row) => ({
      id: row.id,
      url: row.url,
      events: JSON.parse(row.events) as WebhookEvent[],
      enabled: row.enabled === 1,
      createdAt: row.created_at,
    }));
  }

  /** Stops new deliveries to an endpoint; those already queued still go. */
  async disable(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_endpoints')
      .set({ enabled: 0 })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async deliveries(endpointId: string, limit = 100): Promise<WebhookDelivery[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      endpointId: row.endpoint_id,
      eventId: row.event_id,
      eventType: row.event_type,
      state: row.state,
      attempts: row.attempts,
      lastStatus: row.last_status,
      lastError: row.last_error,
      createdAt: row.created_at,
      deliveredAt: row.delivered_at,
    }));
  }

  async forDelivery(deliveryId: string) {
    return this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .select(['d.id', 'd.body', 'd.state', 'e.url'])
      .where('d.id', '=', deliveryId)
      .executeTakeFirst();
  }

  /** Records one attempt; `delivered` when the receiver acknowledged it, `failed` after the last one. */
  async recordAttempt(
    deliveryId: string,
    outcome: {
      state: 'pending' | 'delivered' | 'failed';
      status: number | null;
      error: string | null;
      at: string;
    },
  ): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        state: outcome.state,
        last_status: outcome.status,
        last_error: outcome.error,
        delivered_at: outcome.state === 'delivered' ? outcome.at : null,
      }))
      .where('id', '=', deliveryId)
      .execute();
  }
}
