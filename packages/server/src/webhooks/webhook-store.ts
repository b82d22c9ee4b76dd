import { deriveKey, lockSecret, newId, newStandardWebhookSecret, unlockSecret } from '@keyward/core';
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

/** What one delivery attempt needs: where it goes, what it says, and the secret that signs it. */
export interface DeliveryToSend {
  readonly id: string;
  readonly eventId: string;
  readonly body: string;
  readonly state: string;
  readonly url: string;
  readonly secret: string;
}

/**
 * Webhook endpoints the vendor registered, and the record of every delivery. Each endpoint's
 * Standard Webhooks secret is kept locked under the master key, bound to the endpoint's id, since
 * the server must read it back to sign; the vendor sees it only when it is made.
 */
export class WebhookStore {
  constructor(
    private readonly db: VendorDb,
    private readonly masterSecret: Uint8Array,
  ) {}

  private lockKey(endpointId: string): Buffer {
    return deriveKey(this.masterSecret, endpointId, 'webhook-secret');
  }

  private lock(endpointId: string, secret: string): string {
    return lockSecret(Buffer.from(secret, 'utf8'), this.lockKey(endpointId), endpointId);
  }

  private unlock(endpointId: string, locked: string): string {
    const secret = unlockSecret(locked, this.lockKey(endpointId), endpointId);
    if (!secret.ok)
      throw new Error(
        `The secret of webhook endpoint ${endpointId} cannot be unlocked: the master key is not the one it was locked with.`,
      );
    return secret.value.toString('utf8');
  }

  /** Registers an endpoint with a new signing secret, returned this once. */
  async create(
    url: string,
    events: readonly WebhookEvent[],
    at: string,
  ): Promise<{ readonly endpoint: WebhookEndpoint; readonly secret: string }> {
    const endpoint = { id: newId('whk'), url, events, enabled: true, createdAt: at };
    const secret = newStandardWebhookSecret();
    await this.db
      .insertInto('webhook_endpoints')
      .values({
        id: endpoint.id,
        url,
        events: JSON.stringify(events),
        enabled: 1,
        created_at: at,
        locked_secret: this.lock(endpoint.id, secret),
      })
      .execute();
    return { endpoint, secret };
  }

  /**
   * Replaces an endpoint's secret at once: every attempt from now on, retries of earlier events
   * included, is signed with the new one only. Undefined when no endpoint has this id.
   */
  async rotateSecret(id: string): Promise<string | undefined> {
    const secret = newStandardWebhookSecret();
    const result = await this.db
      .updateTable('webhook_endpoints')
      .set({ locked_secret: this.lock(id, secret) })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n ? secret : undefined;
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

  async forDelivery(deliveryId: string): Promise<DeliveryToSend | undefined> {
    const row = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .select(['d.id', 'd.event_id', 'd.body', 'd.state', 'e.id as endpoint_id', 'e.url', 'e.locked_secret'])
      .where('d.id', '=', deliveryId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const locked = row.locked_secret ?? (await this.lockedSecretMadeNow(row.endpoint_id));
    return {
      id: row.id,
      eventId: row.event_id,
      body: row.body,
      state: row.state,
      url: row.url,
      secret: this.unlock(row.endpoint_id, locked),
    };
  }

  /**
   * An endpoint registered before endpoints had secrets gets one at its first delivery, so that
   * nothing goes out unsigned; the vendor learns it by rotating it. The update is conditional so
   * that processes racing here end up with the one secret that was stored first.
   */
  private async lockedSecretMadeNow(endpointId: string): Promise<string> {
    await this.db
      .updateTable('webhook_endpoints')
      .set({ locked_secret: this.lock(endpointId, newStandardWebhookSecret()) })
      .where('id', '=', endpointId)
      .where('locked_secret', 'is', null)
      .execute();
    const { locked_secret } = await this.db
      .selectFrom('webhook_endpoints')
      .select('locked_secret')
      .where('id', '=', endpointId)
      .executeTakeFirstOrThrow();
    if (locked_secret === null) throw new Error(`Webhook endpoint ${endpointId} kept no secret.`);
    return locked_secret;
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
