import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { newStandardWebhookSecret, ok, type Result, refuse } from '@keyward/core';
import {
  checkDaysBefore,
  checkHookPath,
  checkHookTimeout,
  checkRecipients,
  checkWebhookUrl,
  EXPIRATION_TASK_DEFAULTS,
  type ExpirationTaskSettings,
  NOTIFICATION_DEFAULTS,
  type NotificationSettings,
  type NotificationSettingsChange,
} from './settings-rules.js';
import type { SettingsStore, SiteExecutor } from './storage/settings-store.js';

const EXPIRATION_TASK = 'expiration_task';
const NOTIFICATIONS = 'notifications';

/** The notification settings as the administrator sees them: the webhook's secret is not shown again. */
export interface NotificationSettingsView {
  readonly kinds: NotificationSettings['kinds'];
  readonly mail: { readonly to: readonly string[] };
  readonly webhook: { readonly url: string | null; readonly secret?: string };
  readonly hook: NotificationSettings['hook'];
}

export function viewOf(settings: NotificationSettings, newSecret?: string): NotificationSettingsView {
  return {
    kinds: settings.kinds,
    mail: { to: settings.mailTo },
    webhook: {
      url: settings.webhook?.url ?? null,
      ...(newSecret === undefined ? {} : { secret: newSecret }),
    },
    hook: settings.hook,
  };
}

/**
 * The site's settings that the administrator changes while it runs: the License key expiration
 * task's and the notifications'. Unset ones read as their defaults; a change is checked whole
 * before anything is stored, so a refused change changes nothing.
 */
export class SiteSettings {
  constructor(
    private readonly store: SettingsStore,
    private readonly now: () => Date,
  ) {}

  async expirationTask(db?: SiteExecutor): Promise<ExpirationTaskSettings> {
    const stored = (await this.store.read(EXPIRATION_TASK, db)) as
      | Partial<ExpirationTaskSettings>
      | undefined;
    return { ...EXPIRATION_TASK_DEFAULTS, ...stored };
  }

  async setExpirationTask(change: Partial<ExpirationTaskSettings>): Promise<Result<ExpirationTaskSettings>> {
    if (change.daysBefore !== undefined) {
      const days = checkDaysBefore(change.daysBefore);
      if (!days.ok) return days;
    }
    const next = { ...(await this.expirationTask()), ...change };
    await this.store.write(EXPIRATION_TASK, next, this.now().toISOString());
    return ok(next);
  }

  /** The settings with the webhook's secret: for the notifier, never for an answer. */
  async notifications(db?: SiteExecutor): Promise<NotificationSettings> {
    const stored = (await this.store.read(NOTIFICATIONS, db)) as Partial<NotificationSettings> | undefined;
    return {
      ...NOTIFICATION_DEFAULTS,
      ...stored,
      kinds: { ...NOTIFICATION_DEFAULTS.kinds, ...stored?.kinds },
      hook: { ...NOTIFICATION_DEFAULTS.hook, ...stored?.hook },
    };
  }

  /** Applies a change; a webhook URL that changes gets a new secret, answered this once. */
  async setNotifications(change: NotificationSettingsChange): Promise<Result<NotificationSettingsView>> {
    const current = await this.notifications();
    const mailTo = change.mailTo === undefined ? ok(current.mailTo) : checkRecipients(change.mailTo);
    if (!mailTo.ok) return mailTo;
    const webhook = this.webhookAfter(current.webhook, change.webhookUrl);
    if (!webhook.ok) return webhook;
    const hook = await this.hookAfter(current.hook, change);
    if (!hook.ok) return hook;
    const next: NotificationSettings = {
      kinds: { ...current.kinds, ...change.kinds },
      mailTo: mailTo.value,
      webhook: webhook.value,
      hook: hook.value,
    };
    await this.store.write(NOTIFICATIONS, next, this.now().toISOString());
    const newSecret = next.webhook?.secret === current.webhook?.secret ? undefined : next.webhook?.secret;
    return ok(viewOf(next, newSecret));
  }

  private webhookAfter(
    current: NotificationSettings['webhook'],
    url: string | null | undefined,
  ): Result<NotificationSettings['webhook']> {
    if (url === undefined) return ok(current);
    if (url === null) return ok(null);
    const checked = checkWebhookUrl(url);
    if (!checked.ok) return checked;
    // The same receiver keeps its secret; another one must not be able to sign as the old one.
    if (current?.url === checked.value) return ok(current);
    return ok({ url: checked.value, secret: newStandardWebhookSecret() });
  }

  private async hookAfter(
    current: NotificationSettings['hook'],
    change: NotificationSettingsChange,
  ): Promise<Result<NotificationSettings['hook']>> {
    let path = current.path;
    if (change.hookPath !== undefined && change.hookPath !== null) {
      const checked = checkHookPath(change.hookPath);
      if (!checked.ok) return checked;
      // Refused now rather than failing at the first notification, weeks later.
      const runnable = await access(checked.value, constants.X_OK).then(
        () => true,
        () => false,
      );
      if (!runnable)
        return refuse('VALIDATION_FAILED', `The hook ${checked.value} does not exist or is not executable.`);
      path = checked.value;
    } else if (change.hookPath === null) path = null;
    let timeoutSeconds = current.timeoutSeconds;
    if (change.hookTimeoutSeconds !== undefined) {
      const checked = checkHookTimeout(change.hookTimeoutSeconds);
      if (!checked.ok) return checked;
      timeoutSeconds = checked.value;
    }
    return ok({ path, timeoutSeconds });
  }
}
