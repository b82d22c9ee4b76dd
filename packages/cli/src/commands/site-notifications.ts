import {
  type ExpirationRun,
  type ExpirationTaskSettings,
  type NotificationRecord,
  type NotificationSettingsView,
  SITE_EVENT_KINDS,
} from '@keyward/site';
import { Command } from 'commander';
import { integer, leaf, unwrap, usage } from '../command-kit.js';
import { table } from '../output.js';
import { connectSite, type SiteConnection } from './site-connection.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function taskLines(task: ExpirationTaskSettings): string {
  return table([
    ['License key expiration task', task.enabled ? 'enabled' : 'disabled'],
    ['Days before expiry', String(task.daysBefore)],
  ]);
}

function settingsLines(settings: NotificationSettingsView): string {
  return table([
    ...SITE_EVENT_KINDS.map((kind) => [kind, settings.kinds[kind] ? 'on' : 'off'] as const),
    ['Mail to', settings.mail.to.length === 0 ? 'nobody' : settings.mail.to.join(', ')],
    ['Webhook', settings.webhook.url ?? 'none'],
    ['User hook', settings.hook.path ?? 'none'],
    ['Hook time limit', `${settings.hook.timeoutSeconds} s`],
  ]);
}

function notificationLines(notification: NotificationRecord): string {
  const channels = notification.deliveries.map(
    (d) =>
      `${d.channel} ${d.state} (${d.attempts} ${d.attempts === 1 ? 'try' : 'tries'})${d.lastError === null ? '' : `: ${d.lastError}`}`,
  );
  const hook = notification.hook;
  const hookText =
    hook.state === 'failed' || hook.state === 'timed_out'
      ? `hook ${hook.state} (${hook.error ?? `exit ${hook.exitCode ?? hook.signal}`})`
      : `hook ${hook.state}`;
  return `${notification.createdAt}  ${notification.kind}  ${notification.event.license.serial}  ${[...channels, hookText].join('; ')}`;
}

const showTask = leaf<SiteConnection>(
  'show',
  'The License key expiration task: whether it runs, and how many days before expiry.',
  (c) => c,
  async (o, out) => {
    const task = unwrap(
      await connectSite(o).request<ExpirationTaskSettings>('GET', '/v1/site/settings/expiration-task'),
    );
    out.result(task, () => taskLines(task));
  },
);

const setTask = leaf<SiteConnection & { enabled?: boolean; disabled?: boolean; days?: number }>(
  'set',
  'Change the License key expiration task (without it, licenses are not renewed automatically).',
  (c) =>
    c
      .option('--enabled', 'run the task')
      .option('--disabled', 'do not run the task')
      .option('--days <n>', 'days before expiry the task acts (0 to 365)', integer('--days', 0)),
  async (o, out) => {
    if (o.enabled === true && o.disabled === true) usage('Give --enabled or --disabled, not both.');
    const change = {
      ...(o.enabled === true ? { enabled: true } : {}),
      ...(o.disabled === true ? { enabled: false } : {}),
      ...(o.days === undefined ? {} : { daysBefore: o.days }),
    };
    if (Object.keys(change).length === 0) usage('Nothing to change: give --enabled, --disabled or --days.');
    const task = unwrap(
      await connectSite(o).request<ExpirationTaskSettings>(
        'PUT',
        '/v1/site/settings/expiration-task',
        change,
      ),
    );
    out.result(task, () => taskLines(task));
  },
);

const showNotifications = leaf<SiteConnection>(
  'show',
  'Which notifications are sent, to whom, and the user hook.',
  (c) => c,
  async (o, out) => {
    const settings = unwrap(
      await connectSite(o).request<NotificationSettingsView>('GET', '/v1/site/settings/notifications'),
    );
    out.result(settings, () => settingsLines(settings));
  },
);

interface SetOptions extends SiteConnection {
  enable: string[];
  disable: string[];
  mailTo: string[];
  /** False with --no-mail. */
  mail?: boolean;
  webhookUrl?: string;
  removeWebhook?: boolean;
  hook?: string;
  removeHook?: boolean;
  hookTimeout?: number;
}

function kindsOf(enable: string[], disable: string[]): Record<string, boolean> | undefined {
  const unknown = [...enable, ...disable].find(
    (kind) => !(SITE_EVENT_KINDS as readonly string[]).includes(kind),
  );
  if (unknown !== undefined)
    usage(`There is no notification "${unknown}": write one of ${SITE_EVENT_KINDS.join(', ')}.`);
  const both = enable.find((kind) => disable.includes(kind));
  if (both !== undefined) usage(`${both} is both enabled and disabled: give it once.`);
  if (enable.length + disable.length === 0) return undefined;
  return Object.fromEntries([...enable.map((k) => [k, true]), ...disable.map((k) => [k, false])]);
}

function changeOf(o: SetOptions) {
  if (o.mailTo.length > 0 && o.mail === false) usage('Give --mail-to or --no-mail, not both.');
  if (o.webhookUrl !== undefined && o.removeWebhook === true)
    usage('Give --webhook-url or --remove-webhook, not both.');
  if (o.hook !== undefined && o.removeHook === true) usage('Give --hook or --remove-hook, not both.');
  const kinds = kindsOf(o.enable, o.disable);
  const mailTo = o.mail === false ? [] : o.mailTo.length > 0 ? o.mailTo : undefined;
  const webhookUrl = o.removeWebhook === true ? null : o.webhookUrl;
  const hookPath = o.removeHook === true ? null : o.hook;
  return {
    ...(kinds === undefined ? {} : { kinds }),
    ...(mailTo === undefined ? {} : { mail: { to: mailTo } }),
    ...(webhookUrl === undefined ? {} : { webhook: { url: webhookUrl } }),
    ...(hookPath === undefined && o.hookTimeout === undefined
      ? {}
      : {
          hook: {
            ...(hookPath === undefined ? {} : { path: hookPath }),
            ...(o.hookTimeout === undefined ? {} : { timeoutSeconds: o.hookTimeout }),
          },
        }),
  };
}

const setNotifications = leaf<SetOptions>(
  'set',
  'Change the notifications: which are sent, the mail recipients, the webhook and the user hook.',
  (c) =>
    c
      .option(
        '--enable <kind>',
        `send a notification (repeatable): ${SITE_EVENT_KINDS.join(', ')}`,
        collect,
        [],
      )
      .option('--disable <kind>', 'stop sending a notification (repeatable)', collect, [])
      .option('--mail-to <address...>', 'the mail recipients (replaces the list)', collect, [])
      .option('--no-mail', 'send no mail')
      .option('--webhook-url <url>', 'POST notifications there; a new signing secret is shown once')
      .option('--remove-webhook', 'send no webhook')
      .option('--hook <path>', 'the executable run after each notification (absolute path)')
      .option('--remove-hook', 'run no hook')
      .option('--hook-timeout <seconds>', "the hook's time limit (1 to 3600)", integer('--hook-timeout', 1)),
  async (o, out) => {
    const change = changeOf(o);
    if (Object.keys(change).length === 0)
      usage('Nothing to change: see keyward site notifications set --help.');
    const settings = unwrap(
      await connectSite(o).request<NotificationSettingsView>(
        'PUT',
        '/v1/site/settings/notifications',
        change,
      ),
    );
    out.result(settings, () =>
      [
        settingsLines(settings),
        ...(settings.webhook.secret === undefined
          ? []
          : [
              '',
              'The webhook signing secret (Standard Webhooks), shown only this once:',
              `  ${settings.webhook.secret}`,
            ]),
      ].join('\n'),
    );
  },
);

const listNotifications = leaf<SiteConnection & { limit?: number }>(
  'list',
  'The latest notifications, newest first, with what each channel and the hook did.',
  (c) => c.option('--limit <n>', 'how many (default 100)', integer('--limit', 1)),
  async (o, out) => {
    const { notifications } = unwrap(
      await connectSite(o).request<{ notifications: NotificationRecord[] }>(
        'GET',
        `/v1/site/notifications${o.limit === undefined ? '' : `?limit=${o.limit}`}`,
      ),
    );
    out.result({ notifications }, () =>
      notifications.length === 0 ? 'No notifications.' : notifications.map(notificationLines).join('\n'),
    );
  },
);

const OUTCOME_TEXT: Record<string, string> = {
  expiring: 'no renewal bought (the expiration notification goes once per key)',
  incompatible: 'renewal added but not propagated',
  renewed: 'renewed and propagated',
  failed: 'not handled this time',
};

const runTask = leaf<SiteConnection>(
  'run',
  'Run the License key expiration task now, as the schedule does.',
  (c) => c,
  async (o, out) => {
    const run = unwrap(
      await connectSite(o).request<ExpirationRun>('POST', '/v1/site/tasks/license-expiration/run'),
    );
    out.result(run, () =>
      [
        run.enabled
          ? `Ran at ${run.ranAt}, ${run.daysBefore} day(s) before expiry.`
          : 'The task is disabled: nothing done.',
        ...run.keys.map(
          (key) =>
            `${key.serial}: ${OUTCOME_TEXT[key.outcome] ?? key.outcome}${key.renewalSerial === null ? '' : ` (${key.renewalSerial})`}${key.reason === undefined ? '' : `: ${key.reason.message}`}${key.error === undefined ? '' : `: ${key.error.message}`}`,
        ),
        ...(run.enabled && run.keys.length === 0 ? ['No key expires within those days.'] : []),
        ...run.removed.map((serial) => `${serial}: removed, no station or neighbour uses it any more.`),
      ].join('\n'),
    );
  },
);

export const siteTaskCommands = new Command('task')
  .description('The License key expiration task: renews licenses automatically before they expire.')
  .addCommand(showTask)
  .addCommand(setTask)
  .addCommand(runTask);

export const siteNotificationCommands = new Command('notifications')
  .description("The site's notifications: mail, webhook and the user hook.")
  .addCommand(showNotifications)
  .addCommand(setNotifications)
  .addCommand(listNotifications);
