import type { SiteEvent } from '../site-events.js';
import type { SiteDb } from './database.js';
import type { SiteExecutor } from './settings-store.js';

export type NotificationChannel = 'mail' | 'webhook';
export type DeliveryState = 'pending' | 'sent' | 'failed';
export type HookState = 'pending' | 'succeeded' | 'failed' | 'timed_out' | 'skipped';

/** One channel's try to make, with the event it carries. */
export interface DueDelivery {
  readonly notificationId: string;
  readonly channel: NotificationChannel;
  readonly target: string;
  /** Tries so far, before this one. */
  readonly attempts: number;
  readonly event: SiteEvent;
}

/** What a try of a channel came to. */
export interface DeliveryOutcome {
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly error: string | null;
  readonly sentAt: string | null;
}

/** What the user hook did. */
export interface HookOutcome {
  readonly state: Exclude<HookState, 'pending'>;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderr: string | null;
  readonly error: string | null;
  readonly ranAt: string;
}

export interface NotificationRecord {
  readonly id: string;
  readonly kind: string;
  readonly createdAt: string;
  readonly event: SiteEvent;
  readonly deliveries: ReadonlyArray<{
    readonly channel: NotificationChannel;
    readonly target: string;
    readonly state: DeliveryState;
    readonly attempts: number;
    readonly nextAttemptAt: string | null;
    readonly lastError: string | null;
    readonly sentAt: string | null;
  }>;
  readonly hook: { readonly state: HookState } & Partial<Omit<HookOutcome, 'state'>>;
}

/**
 * The notifications' outbox: a notification is recorded with the change that raised it, and its
 * channels and hook are worked off from here, so none is lost to a restart.
 */
export class NotificationOutbox {
  constructor(private readonly db: SiteDb) {}

  /** Records a notification and its channels, in `db` (the caller's transaction); false when its id is recorded already. */
  async record(
    db: SiteExecutor,
    event: SiteEvent,
    deliveries: ReadonlyArray<{ channel: NotificationChannel; target: string }>,
    at: string,
  ): Promise<boolean> {
    const inserted = await db
      .insertInto('site_notifications')
      .values({
        id: event.id,
        kind: event.kind,
        event: JSON.stringify(event),
        created_at: at,
        hook_state: 'pending',
      })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows !== 1n) return false;
    if (deliveries.length === 0) return true;
    await db
      .insertInto('notification_deliveries')
      .values(
        deliveries.map((delivery) => ({
          notification_id: event.id,
          channel: delivery.channel,
          target: delivery.target,
          state: 'pending',
          next_attempt_at: at,
        })),
      )
      .execute();
    return true;
  }

  /** Tries due by `at`, oldest notification first. */
  async dueDeliveries(at: string, limit: number): Promise<DueDelivery[]> {
    const rows = await this.db
      .selectFrom('notification_deliveries as d')
      .innerJoin('site_notifications as n', 'n.id', 'd.notification_id')
      .select(['d.notification_id', 'd.channel', 'd.target', 'd.attempts', 'n.event'])
      .where('d.state', '=', 'pending')
      .where('d.next_attempt_at', '<=', at)
      .orderBy('n.created_at')
      .orderBy('d.notification_id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      notificationId: row.notification_id,
      channel: row.channel as NotificationChannel,
      target: row.target,
      attempts: row.attempts,
      event: JSON.parse(row.event) as SiteEvent,
    }));
  }

  async recordDelivery(notificationId: string, channel: NotificationChannel, outcome: DeliveryOutcome) {
    await this.db
      .updateTable('notification_deliveries')
      .set({
        state: outcome.state,
        attempts: outcome.attempts,
        next_attempt_at: outcome.nextAttemptAt,
        last_error: outcome.error?.slice(0, 1000) ?? null,
        sent_at: outcome.sentAt,
      })
      .where('notification_id', '=', notificationId)
      .where('channel', '=', channel)
      .execute();
  }

  /** Notifications whose hook is still to run and whose every channel was tried at least once. */
  async hooksDue(limit: number): Promise<SiteEvent[]> {
    const rows = await this.db
      .selectFrom('site_notifications as n')
      .select('n.event')
      .where('n.hook_state', '=', 'pending')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('notification_deliveries as d')
              .select('d.channel')
              .whereRef('d.notification_id', '=', 'n.id')
              .where('d.attempts', '=', 0),
          ),
        ),
      )
      .orderBy('n.created_at')
      .orderBy('n.id')
      .limit(limit)
      .execute();
    return rows.map((row) => JSON.parse(row.event) as SiteEvent);
  }

  async recordHook(notificationId: string, outcome: HookOutcome): Promise<void> {
    await this.db
      .updateTable('site_notifications')
      .set({
        hook_state: outcome.state,
        hook_exit_code: outcome.exitCode,
        hook_signal: outcome.signal,
        hook_stderr: outcome.stderr,
        hook_error: outcome.error,
        hook_ran_at: outcome.ranAt,
      })
      .where('id', '=', notificationId)
      .execute();
  }

  /** The latest notifications, newest first, with each channel's state and the hook's outcome. */
  async history(limit: number): Promise<NotificationRecord[]> {
    const notifications = await this.db
      .selectFrom('site_notifications')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    if (notifications.length === 0) return [];
    const deliveries = await this.db
      .selectFrom('notification_deliveries')
      .selectAll()
      .where(
        'notification_id',
        'in',
        notifications.map((n) => n.id),
      )
      .orderBy('channel')
      .execute();
    return notifications.map((row) => ({
      id: row.id,
      kind: row.kind,
      createdAt: row.created_at,
      event: JSON.parse(row.event) as SiteEvent,
      deliveries: deliveries
        .filter((delivery) => delivery.notification_id === row.id)
        .map((delivery) => ({
          channel: delivery.channel as NotificationChannel,
          target: delivery.target,
          state: delivery.state as DeliveryState,
          attempts: delivery.attempts,
          nextAttemptAt: delivery.state === 'pending' ? delivery.next_attempt_at : null,
          lastError: delivery.last_error,
          sentAt: delivery.sent_at,
        })),
      hook: {
        state: row.hook_state as HookState,
        ...(row.hook_ran_at === null
          ? {}
          : {
              exitCode: row.hook_exit_code,
              signal: row.hook_signal,
              stderr: row.hook_stderr,
              error: row.hook_error,
              ranAt: row.hook_ran_at,
            }),
      },
    }));
  }
}
