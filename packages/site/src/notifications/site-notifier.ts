import type { SiteEvent } from '../site-events.js';
import type { SiteSettings } from '../site-settings.js';
import type { SiteDb } from '../storage/database.js';
import type {
  NotificationChannel,
  NotificationOutbox,
  NotificationRecord,
} from '../storage/notification-outbox.js';
import type { SiteExecutor } from '../storage/settings-store.js';
import { deliveryRetryDelaySeconds, MAX_DELIVERY_ATTEMPTS } from './delivery-retry.js';
import type { MailSender } from './mail-sender.js';
import { runUserHook } from './user-hook.js';
import { sendWebhook } from './webhook-sender.js';

/** Where the notifier reports what it could not do; the site's logger once it runs. */
export interface NotifierLog {
  info(facts: object, message: string): void;
  warn(facts: object, message: string): void;
  error(facts: object, message: string): void;
}

const SILENT: NotifierLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** What one pass over the outbox did. */
export interface DeliveryRound {
  readonly sent: number;
  readonly retrying: number;
  readonly failed: number;
  readonly hooksRun: number;
}

/** How often the outbox is looked at for tries that came due. */
const DEFAULT_INTERVAL_MS = 5000;
/** Tries and hooks taken per pass; the next pass takes the rest. */
const BATCH = 50;

const reasonOf = (failure: unknown) => (failure instanceof Error ? failure.message : String(failure));

/**
 * Delivers the site's notifications: recorded in the outbox with the change that raised them,
 * then sent by mail and webhook, with a few tries each, and followed by the user hook.
 *
 * One site server process owns its database, so passes over the outbox run one at a time in
 * this process and need no claims between processes.
 */
export class SiteNotifier {
  private log: NotifierLog = SILENT;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private closed = false;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: SiteDb,
    private readonly outbox: NotificationOutbox,
    private readonly settings: SiteSettings,
    private readonly mail: MailSender,
    private readonly now: () => Date,
  ) {}

  /**
   * Records a notification of `event` if its kind is enabled, addressed to the channels set now.
   * Given the caller's transaction, it is recorded in it: sent if and only if the caller commits.
   * An event already recorded (same id) is not recorded again. The history shows what was.
   */
  async notify(event: SiteEvent, trx?: SiteExecutor): Promise<void> {
    const db = trx ?? this.db;
    const settings = await this.settings.notifications(db);
    if (!settings.kinds[event.kind]) return;
    const deliveries: Array<{ channel: NotificationChannel; target: string }> = [];
    if (settings.mailTo.length > 0) deliveries.push({ channel: 'mail', target: settings.mailTo.join(', ') });
    if (settings.webhook !== null) deliveries.push({ channel: 'webhook', target: settings.webhook.url });
    const recorded = await this.outbox.record(db, event, deliveries, this.now().toISOString());
    // Outside a transaction the notification is committed already: send it now, not at the next pass.
    if (recorded && trx === undefined) this.wake();
  }

  /** One pass: every try that is due, then the hooks of notifications whose channels were each tried once. */
  deliverDue(): Promise<DeliveryRound> {
    const round = this.running.then(() => this.deliverRound());
    this.running = round.catch(() => undefined);
    return round;
  }

  /** The latest notifications, newest first. */
  history(limit = 100): Promise<NotificationRecord[]> {
    return this.outbox.history(limit);
  }

  /** Starts the delivery loop; passes then run every `intervalMs` until close. */
  start(log: NotifierLog, intervalMs = DEFAULT_INTERVAL_MS): void {
    this.log = log;
    this.started = true;
    const pass = () => {
      this.timer = undefined;
      this.deliverDue()
        .catch((failure) => this.log.error({ err: reasonOf(failure) }, 'notification pass failed'))
        .finally(() => {
          if (!this.closed) this.timer = setTimeout(pass, intervalMs);
        });
    };
    this.timer = setTimeout(pass, intervalMs);
  }

  /** Stops the loop and waits for a pass under way, so the database can be closed after. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
    this.mail.close();
  }

  private wake(): void {
    if (!this.started || this.closed) return;
    setImmediate(() => {
      if (!this.closed)
        this.deliverDue().catch((failure) =>
          this.log.error({ err: reasonOf(failure) }, 'notification pass failed'),
        );
    });
  }

  private async deliverRound(): Promise<DeliveryRound> {
    const counts = { sent: 0, retrying: 0, failed: 0, hooksRun: 0 };
    const due = await this.outbox.dueDeliveries(this.now().toISOString(), BATCH);
    for (const delivery of due) {
      const outcome = await this.attempt(delivery.channel, delivery.target, delivery.event);
      const attempts = delivery.attempts + 1;
      const at = this.now();
      if (outcome === undefined) {
        counts.sent++;
        await this.outbox.recordDelivery(delivery.notificationId, delivery.channel, {
          state: 'sent',
          attempts,
          nextAttemptAt: at.toISOString(),
          error: null,
          sentAt: at.toISOString(),
        });
        continue;
      }
      const last = attempts >= MAX_DELIVERY_ATTEMPTS;
      const next = new Date(at.getTime() + deliveryRetryDelaySeconds(attempts) * 1000);
      await this.outbox.recordDelivery(delivery.notificationId, delivery.channel, {
        state: last ? 'failed' : 'pending',
        attempts,
        nextAttemptAt: next.toISOString(),
        error: outcome,
        sentAt: null,
      });
      const facts = {
        notificationId: delivery.notificationId,
        channel: delivery.channel,
        attempts,
        err: outcome,
      };
      if (last) {
        counts.failed++;
        this.log.error(facts, 'notification not delivered; no more tries');
      } else {
        counts.retrying++;
        this.log.warn(
          { ...facts, nextAttemptAt: next.toISOString() },
          'notification not delivered; it will be tried again',
        );
      }
    }
    for (const event of await this.outbox.hooksDue(BATCH)) {
      await this.runHook(event);
      counts.hooksRun++;
    }
    return counts;
  }

  /** One try of one channel: undefined when it went out, else the reason. */
  private async attempt(
    channel: NotificationChannel,
    target: string,
    event: SiteEvent,
  ): Promise<string | undefined> {
    try {
      if (channel === 'mail') {
        await this.mail.send(event, target.split(', '));
        return undefined;
      }
      const webhook = (await this.settings.notifications()).webhook;
      // Signed only with the secret of the receiver it was addressed to.
      if (webhook?.url !== target)
        return 'The webhook was changed or removed before this notification was delivered.';
      await sendWebhook(target, webhook.secret, event, this.now());
      return undefined;
    } catch (failure) {
      return reasonOf(failure);
    }
  }

  private async runHook(event: SiteEvent): Promise<void> {
    const { hook } = await this.settings.notifications();
    const ranAt = this.now().toISOString();
    if (hook.path === null) {
      await this.outbox.recordHook(event.id, {
        state: 'skipped',
        exitCode: null,
        signal: null,
        stderr: null,
        error: null,
        ranAt,
      });
      return;
    }
    const run = await runUserHook(hook.path, hook.timeoutSeconds, event);
    await this.outbox.recordHook(event.id, { ...run, stderr: run.stderr === '' ? null : run.stderr, ranAt });
    const facts = {
      notificationId: event.id,
      hook: hook.path,
      exitCode: run.exitCode,
      signal: run.signal,
      stderr: run.stderr,
      err: run.error,
    };
    if (run.state === 'succeeded') this.log.info(facts, 'user hook ran');
    else if (run.state === 'timed_out')
      this.log.warn({ ...facts, timeoutSeconds: hook.timeoutSeconds }, 'user hook stopped at its time limit');
    else this.log.warn(facts, 'user hook failed');
  }
}
