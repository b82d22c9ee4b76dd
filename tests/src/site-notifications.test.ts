import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newId, verifyStandardWebhook } from '@keyward/core';
import {
  type NotificationRecord,
  type NotificationSettingsView,
  readSiteConfig,
  type SiteEvent,
  type SiteEventKind,
  startSiteServer,
} from '@keyward/site';
import { json, refusal } from './support/cli.js';
import { siteCall, startTestSite, type TestSite } from './support/site-server.js';
import { smtpReceiver } from './support/smtp-receiver.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';
import { webhookReceiver } from './support/webhook-receiver.js';

type Smtp = Awaited<ReturnType<typeof smtpReceiver>>;

async function setNotifications(site: TestSite, change: unknown): Promise<NotificationSettingsView> {
  const answer = await siteCall(site, 'PUT', '/v1/site/settings/notifications', change);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as unknown as NotificationSettingsView;
}

async function history(site: Pick<TestSite, 'url' | 'token'>): Promise<NotificationRecord[]> {
  const answer = await siteCall(site, 'GET', '/v1/site/notifications');
  assert.equal(answer.status, 200);
  return (answer.body as { notifications: NotificationRecord[] }).notifications;
}

async function recordOf(site: TestSite, id: string): Promise<NotificationRecord> {
  const found = (await history(site)).find((notification) => notification.id === id);
  assert.ok(found, `notification ${id} is in the history`);
  return found;
}

function eventOf(
  site: { id: string; name: string },
  kind: SiteEventKind,
  extra: Partial<SiteEvent> = {},
): SiteEvent {
  return {
    id: newId('ntf'),
    kind,
    occurredAt: new Date().toISOString(),
    site,
    license: {
      serial: `KW-${Math.random().toString(36).slice(2, 8).toUpperCase()}`,
      product: 'cad',
      expiresAt: '2027-03-01T00:00:00.000Z',
    },
    ...extra,
  };
}

const renewal = (serial: string) => ({
  serial,
  expiresAt: '2028-03-01T00:00:00.000Z',
  propagatedTo: { stations: ['ws-1', 'ws-2'], neighbours: ['sit_child'] },
});

/** A hook as an administrator writes one: a program of its own, run by its path. */
async function hookScript(dir: string, name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    `#!${process.execPath}\nimport { writeFileSync } from 'node:fs';\nimport { join } from 'node:path';\n${body}\n`,
  );
  await chmod(path, 0o755);
  return path;
}

describe('site notifications', () => {
  let vendor: TestVendor;
  let smtp: Smtp;
  let site: TestSite;
  let siteFacts: { id: string; name: string };
  let dir: string;

  before(async () => {
    vendor = await startTestVendor();
    smtp = await smtpReceiver();
    dir = await mkdtemp(join(tmpdir(), 'keyward-hooks-'));
    site = await startTestSite(vendor, {
      env: {
        KEYWARD_SITE_SMTP_URL: smtp.url,
        KEYWARD_SITE_MAIL_FROM: 'Plant 1 licensing <licensing@plant.example>',
      },
    });
    siteFacts = { id: site.siteId, name: 'Plant 1' };
  });
  after(async () => {
    await site.close();
    await smtp.close();
    await vendor.close();
    await rm(dir, { recursive: true, force: true });
  });

  const notify = (event: SiteEvent) => site.server.context.notifier.notify(event);
  const deliver = () => site.server.context.notifier.deliverDue();

  describe('happy path', () => {
    it('has the defaults: the task enabled at 30 days, every kind on, no channel, no hook', async () => {
      const task = await siteCall(site, 'GET', '/v1/site/settings/expiration-task');
      assert.deepEqual(task.body, { enabled: true, daysBefore: 30 });
      assert.deepEqual(await site.server.context.settings.expirationTask(), {
        enabled: true,
        daysBefore: 30,
      });
      const settings = await siteCall(site, 'GET', '/v1/site/settings/notifications');
      assert.deepEqual(settings.body, {
        kinds: { 'license.expiring': true, 'license.renewal_incompatible': true, 'license.renewed': true },
        mail: { to: [] },
        webhook: { url: null },
        hook: { path: null, timeoutSeconds: 30 },
      });
    });

    it('mails each kind over SMTP, naming the site, serial, product, expiry, the new key and the reason', async () => {
      await setNotifications(site, { mail: { to: ['admin@plant.example', 'it@plant.example'] } });
      const expiring = eventOf(siteFacts, 'license.expiring');
      const incompatible = eventOf(siteFacts, 'license.renewal_incompatible', {
        renewal: { ...renewal('KW-NEW1'), propagatedTo: { stations: [], neighbours: [] } },
        reason: { mismatch: 'FEWER_SEATS', message: 'The renewal has 5 cad.nodes where the license has 10.' },
      });
      const renewed = eventOf(siteFacts, 'license.renewed', { renewal: renewal('KW-NEW2') });
      for (const event of [expiring, incompatible, renewed]) await notify(event);
      await deliver();

      const first = await smtp.waitFor((mail) => mail.parsed.messageId === `<${expiring.id}@plant.example>`);
      assert.equal(
        first.parsed.subject,
        `[Plant 1] License ${expiring.license.serial} is valid through 2027-02-28 only`,
      );
      assert.deepEqual([...first.recipients].sort(), ['admin@plant.example', 'it@plant.example']);
      assert.equal(first.sender, 'licensing@plant.example');
      for (const fact of ['Plant 1', site.siteId, expiring.license.serial, 'cad', '2027-02-28'])
        assert.ok(first.parsed.text?.includes(fact), `the mail names ${fact}`);

      const second = await smtp.waitFor(
        (mail) => mail.parsed.messageId === `<${incompatible.id}@plant.example>`,
      );
      assert.match(second.parsed.subject ?? '', /cannot be renewed automatically/);
      assert.match(
        second.parsed.text ?? '',
        /Reason: The renewal has 5 cad\.nodes where the license has 10\./,
      );
      assert.match(second.parsed.text ?? '', /New license: KW-NEW1/);

      const third = await smtp.waitFor((mail) => mail.parsed.messageId === `<${renewed.id}@plant.example>`);
      assert.match(third.parsed.subject ?? '', /renewed automatically/);
      assert.match(third.parsed.text ?? '', /Propagated to stations: ws-1, ws-2/);
      assert.match(third.parsed.text ?? '', /Propagated to neighbour site servers: sit_child/);

      const record = await recordOf(site, renewed.id);
      assert.deepEqual(
        record.deliveries.map((d) => [d.channel, d.state, d.attempts]),
        [['mail', 'sent', 1]],
      );
      assert.equal(record.hook.state, 'skipped');
      const newest = await history(site);
      assert.ok(newest.findIndex((n) => n.id === renewed.id) < newest.findIndex((n) => n.id === expiring.id));
      await setNotifications(site, { mail: { to: [] } });
    });

    it('POSTs a Standard Webhooks delivery signed with the secret shown once', async () => {
      const receiver = await webhookReceiver();
      try {
        const set = await setNotifications(site, { webhook: { url: receiver.url } });
        const secret = set.webhook.secret ?? '';
        assert.match(secret, /^whsec_/);
        const shown = await siteCall(site, 'GET', '/v1/site/settings/notifications');
        assert.deepEqual(shown.body.webhook, { url: receiver.url }, 'the secret is not shown again');
        const again = await setNotifications(site, { webhook: { url: receiver.url } });
        assert.equal(again.webhook.secret, undefined, 'the same URL keeps its secret');

        const event = eventOf(siteFacts, 'license.renewed', { renewal: renewal('KW-HOOKED') });
        await notify(event);
        await deliver();
        const delivery = await receiver.waitFor((body) => body.type === 'license.renewed');
        const body = JSON.parse(delivery.body) as { type: string; data: SiteEvent };
        assert.deepEqual(body.data, event);
        assert.equal(delivery.headers['webhook-id'], event.id);
        const verified = verifyStandardWebhook(
          secret,
          {
            id: delivery.headers['webhook-id'] as string,
            timestamp: delivery.headers['webhook-timestamp'] as string,
            signature: delivery.headers['webhook-signature'] as string,
          },
          delivery.body,
          vendor.clock.now(),
        );
        assert.ok(verified.ok, 'the signature verifies with the secret');
        assert.equal(
          verifyStandardWebhook(
            `whsec_${Buffer.alloc(32).toString('base64')}`,
            {
              id: event.id,
              timestamp: delivery.headers['webhook-timestamp'] as string,
              signature: delivery.headers['webhook-signature'] as string,
            },
            delivery.body,
            vendor.clock.now(),
          ).ok,
          false,
          'and not with another secret',
        );
      } finally {
        await setNotifications(site, { webhook: { url: null } });
        await receiver.close();
      }
    });

    it('does not record or send a kind that is disabled', async () => {
      await setNotifications(site, {
        kinds: { 'license.expiring': false },
        mail: { to: ['admin@plant.example'] },
      });
      const event = eventOf(siteFacts, 'license.expiring');
      await notify(event);
      const other = eventOf(siteFacts, 'license.renewed', { renewal: renewal('KW-STILL-ON') });
      await notify(other);
      await deliver();
      await smtp.waitFor((mail) => mail.parsed.messageId?.startsWith(`<${other.id}@`) === true);
      await notify(other);
      await deliver();
      assert.equal(
        (await history(site)).filter((n) => n.id === other.id).length,
        1,
        'an event is recorded once',
      );
      assert.equal(
        smtp.received.filter((mail) => mail.parsed.messageId?.startsWith(`<${other.id}@`)).length,
        1,
      );
      assert.equal(
        (await history(site)).some((n) => n.id === event.id),
        false,
      );
      assert.equal(
        smtp.received.some((mail) => mail.parsed.messageId?.startsWith(`<${event.id}@`)),
        false,
      );
      await setNotifications(site, { kinds: { 'license.expiring': true }, mail: { to: [] } });
    });

    it('runs the user hook after the notification was sent: the event on stdin, its kind in the environment, the key file to save', async () => {
      const out = join(dir, 'saved');
      const hook = await hookScript(
        dir,
        'save-key.mjs',
        `let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const event = JSON.parse(input);
  writeFileSync(join(${JSON.stringify(dir)}, event.id + '.json'), JSON.stringify({ kind: process.env.KEYWARD_SITE_EVENT, stdin: input }));
  if (event.keyFile !== undefined) writeFileSync(join(${JSON.stringify(dir)}, event.renewal.serial + '.key'), event.keyFile);
});`,
      );
      const { licenses } = await vendor.issue({ items: { cad: { nodes: 5 } } });
      const serial = licenses[0]?.serial ?? '';
      const keyFile = await site.keyFile(serial);
      await setNotifications(site, { mail: { to: ['admin@plant.example'] }, hook: { path: hook } });
      const event = eventOf(siteFacts, 'license.renewed', { renewal: renewal(serial), keyFile });
      await notify(event);
      await deliver();

      const record = await recordOf(site, event.id);
      assert.equal(record.deliveries[0]?.state, 'sent');
      assert.equal(record.hook.state, 'succeeded');
      assert.equal(record.hook.exitCode, 0);
      const seen = JSON.parse(await readFile(join(dir, `${event.id}.json`), 'utf8')) as {
        kind: string;
        stdin: string;
      };
      assert.equal(seen.kind, 'license.renewed');
      assert.deepEqual(JSON.parse(seen.stdin), event);
      assert.equal(await readFile(join(dir, `${serial}.key`), 'utf8'), keyFile);
      await rm(out, { recursive: true, force: true });
      await setNotifications(site, { mail: { to: [] }, hook: { path: null } });
    });
  });

  describe('errors', () => {
    it('records a failing hook, its exit status and stderr, and still sends the notification', async () => {
      const hook = await hookScript(
        dir,
        'fail.mjs',
        "process.stdin.resume();\nprocess.stderr.write('the ticket system is down\\n');\nprocess.exit(3);",
      );
      await setNotifications(site, { mail: { to: ['admin@plant.example'] }, hook: { path: hook } });
      const event = eventOf(siteFacts, 'license.expiring');
      await notify(event);
      await deliver();
      await smtp.waitFor((mail) => mail.parsed.messageId?.startsWith(`<${event.id}@`) === true);
      const record = await recordOf(site, event.id);
      assert.equal(record.deliveries[0]?.state, 'sent');
      assert.equal(record.hook.state, 'failed');
      assert.equal(record.hook.exitCode, 3);
      assert.match(record.hook.stderr ?? '', /the ticket system is down/);
      await setNotifications(site, { mail: { to: [] }, hook: { path: null } });
    });

    it('stops a hook that hangs at its time limit, records it, and goes on with the next notification', async () => {
      const hook = await hookScript(dir, 'hang.mjs', 'setInterval(() => undefined, 1000);');
      await setNotifications(site, { hook: { path: hook, timeoutSeconds: 1 } });
      const hanging = eventOf(siteFacts, 'license.expiring');
      await notify(hanging);
      const started = Date.now();
      await deliver();
      assert.ok(Date.now() - started < 10_000, 'the pass ended soon after the limit');
      const record = await recordOf(site, hanging.id);
      assert.equal(record.hook.state, 'timed_out');
      assert.equal(record.hook.signal, 'SIGTERM');

      await setNotifications(site, { hook: { path: null, timeoutSeconds: 30 } });
      const next = eventOf(siteFacts, 'license.expiring');
      await notify(next);
      await deliver();
      assert.equal((await recordOf(site, next.id)).hook.state, 'skipped');
    });

    it('records a hook that cannot be started, removed since it was set', async () => {
      const hook = await hookScript(dir, 'gone.mjs', '');
      await setNotifications(site, { hook: { path: hook } });
      await rm(hook);
      const event = eventOf(siteFacts, 'license.expiring');
      await notify(event);
      await deliver();
      const record = await recordOf(site, event.id);
      assert.equal(record.hook.state, 'failed');
      assert.match(record.hook.error ?? '', /ENOENT/);
      await setNotifications(site, { hook: { path: null } });
    });

    it('tries a webhook that fails again with backoff, runs the hook after the first try, and marks it failed after five', async () => {
      const receiver = await webhookReceiver([500, 503]);
      try {
        await setNotifications(site, { webhook: { url: receiver.url } });
        const event = eventOf(siteFacts, 'license.expiring');
        await notify(event);
        await deliver();
        let record = await recordOf(site, event.id);
        assert.deepEqual(
          record.deliveries.map((d) => [d.state, d.attempts]),
          [['pending', 1]],
        );
        assert.match(record.deliveries[0]?.lastError ?? '', /HTTP 500/);
        assert.equal(record.hook.state, 'skipped', 'the hook ran after the first try');
        await deliver();
        assert.equal((await recordOf(site, event.id)).deliveries[0]?.attempts, 1, 'not before the delay');
        vendor.clock.advanceSeconds(61);
        await deliver();
        vendor.clock.advanceSeconds(241);
        await deliver();
        record = await recordOf(site, event.id);
        assert.deepEqual(
          record.deliveries.map((d) => [d.state, d.attempts]),
          [['sent', 3]],
        );
        assert.equal(receiver.received.length, 3);

        receiver.statuses.push(500, 500, 500, 500, 500);
        const doomed = eventOf(siteFacts, 'license.expiring');
        await notify(doomed);
        await deliver();
        for (const seconds of [61, 241, 961, 3841]) {
          vendor.clock.advanceSeconds(seconds);
          await deliver();
        }
        record = await recordOf(site, doomed.id);
        assert.deepEqual(
          record.deliveries.map((d) => [d.state, d.attempts]),
          [['failed', 5]],
        );
        vendor.clock.advanceDays(1);
        await deliver();
        assert.equal((await recordOf(site, doomed.id)).deliveries[0]?.attempts, 5, 'no sixth try');
      } finally {
        await setNotifications(site, { webhook: { url: null } });
        await receiver.close();
      }
    });

    it('refuses bad settings with a sentence, and changes nothing', async () => {
      const before = await siteCall(site, 'GET', '/v1/site/settings/notifications');
      const cases: Array<[string, unknown, string, RegExp]> = [
        ['/v1/site/settings/expiration-task', { daysBefore: 400 }, 'VALIDATION_FAILED', /daysBefore/],
        ['/v1/site/settings/expiration-task', { daysBefore: -1 }, 'VALIDATION_FAILED', /daysBefore/],
        ['/v1/site/settings/expiration-task', { enabled: 'yes' }, 'VALIDATION_FAILED', /enabled/],
        ['/v1/site/settings/notifications', { kinds: { 'license.stolen': true } }, 'VALIDATION_FAILED', /./],
        [
          '/v1/site/settings/notifications',
          { mail: { to: ['not an address'] } },
          'VALIDATION_FAILED',
          /"not an address" is not an e-mail address/,
        ],
        [
          '/v1/site/settings/notifications',
          { webhook: { url: 'ftp://files.example/x' } },
          'VALIDATION_FAILED',
          /must start with https:\/\/ or http:\/\//,
        ],
        [
          '/v1/site/settings/notifications',
          { webhook: { url: 'not a url' } },
          'VALIDATION_FAILED',
          /is not a URL/,
        ],
        [
          '/v1/site/settings/notifications',
          { hook: { path: 'hooks/run.sh' } },
          'VALIDATION_FAILED',
          /absolute path/,
        ],
        [
          '/v1/site/settings/notifications',
          { hook: { path: join(dir, 'missing.sh') } },
          'VALIDATION_FAILED',
          /does not exist or is not executable/,
        ],
        [
          '/v1/site/settings/notifications',
          { hook: { timeoutSeconds: 0 } },
          'VALIDATION_FAILED',
          /timeoutSeconds/,
        ],
      ];
      for (const [path, body, code, message] of cases) {
        const answer = await siteCall(site, 'PUT', path, body);
        assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.code, code, JSON.stringify(body));
        assert.match(String(answer.body.message), message);
      }
      assert.deepEqual((await siteCall(site, 'GET', '/v1/site/settings/notifications')).body, before.body);
      assert.deepEqual((await siteCall(site, 'GET', '/v1/site/settings/expiration-task')).body, {
        enabled: true,
        daysBefore: 30,
      });
    });
  });

  describe('security', () => {
    it('refuses every settings and notification route without the admin token', async () => {
      const routes: Array<['GET' | 'PUT', string]> = [
        ['GET', '/v1/site/settings/expiration-task'],
        ['PUT', '/v1/site/settings/expiration-task'],
        ['GET', '/v1/site/settings/notifications'],
        ['PUT', '/v1/site/settings/notifications'],
        ['GET', '/v1/site/notifications'],
      ];
      for (const [method, path] of routes) {
        const answer = await siteCall(
          { url: site.url, token: 'kw_site_forged' },
          method,
          path,
          method === 'PUT' ? {} : undefined,
        );
        assert.equal(answer.status, 401, `${method} ${path}`);
      }
    });
  });

  describe('the command line', () => {
    it('shows and sets the task and the notifications, lists the history, and refuses bad values', async () => {
      const env = { HOME: dir, KEYWARD_SITE_URL: site.url, KEYWARD_SITE_TOKEN: site.token };
      assert.deepEqual(await json(['site', 'task', 'set', '--disabled', '--days', '14'], env), {
        enabled: false,
        daysBefore: 14,
      });
      assert.deepEqual(await json(['site', 'task', 'show'], env), { enabled: false, daysBefore: 14 });
      assert.deepEqual(await site.server.context.settings.expirationTask(), {
        enabled: false,
        daysBefore: 14,
      });
      await json(['site', 'task', 'set', '--enabled', '--days', '30'], env);

      const receiver = await webhookReceiver();
      try {
        const set = await json<NotificationSettingsView>(
          [
            'site',
            'notifications',
            'set',
            '--disable',
            'license.renewed',
            '--mail-to',
            'a@plant.example',
            'b@plant.example',
            '--webhook-url',
            receiver.url,
            '--hook-timeout',
            '5',
          ],
          env,
        );
        assert.equal(set.kinds['license.renewed'], false);
        assert.deepEqual(set.mail.to, ['a@plant.example', 'b@plant.example']);
        assert.match(set.webhook.secret ?? '', /^whsec_/);
        assert.equal(set.hook.timeoutSeconds, 5);
        const shown = await json<NotificationSettingsView>(['site', 'notifications', 'show'], env);
        assert.equal(shown.webhook.secret, undefined);

        assert.equal(await refusal(['site', 'task', 'set', '--days', '400'], env), 'VALIDATION_FAILED');
        assert.equal(await refusal(['site', 'task', 'set', '--days', 'soon'], env), 'VALIDATION_FAILED');
        assert.equal(
          await refusal(['site', 'notifications', 'set', '--enable', 'license.stolen'], env),
          'VALIDATION_FAILED',
        );
        assert.equal(
          await refusal(['site', 'notifications', 'set', '--hook', 'run.sh'], env),
          'VALIDATION_FAILED',
        );
        assert.equal(
          await refusal(['site', 'notifications', 'set', '--mail-to', 'nobody'], env),
          'VALIDATION_FAILED',
        );

        const { notifications } = await json<{ notifications: NotificationRecord[] }>(
          ['site', 'notifications', 'list', '--limit', '2'],
          env,
        );
        assert.equal(notifications.length, 2);
        await json(
          ['site', 'notifications', 'set', '--enable', 'license.renewed', '--no-mail', '--remove-webhook'],
          env,
        );
        const reset = await json<NotificationSettingsView>(['site', 'notifications', 'show'], env);
        assert.deepEqual(
          [reset.kinds['license.renewed'], reset.mail.to, reset.webhook.url],
          [true, [], null],
        );
      } finally {
        await receiver.close();
      }
    });
  });
});

describe('the notification outbox across a restart', () => {
  it('delivers a notification recorded in a transaction before the site was closed, once started again', async () => {
    const smtp = await smtpReceiver();
    const dataDir = await mkdtemp(join(tmpdir(), 'keyward-site-outbox-'));
    const config = readSiteConfig({
      KEYWARD_SITE_DATA_DIR: dataDir,
      KEYWARD_SITE_PORT: '0',
      KEYWARD_LOG_LEVEL: 'silent',
      KEYWARD_SITE_SMTP_URL: smtp.url,
      KEYWARD_SITE_MAIL_FROM: 'licensing@plant.example',
    });
    assert.ok(config.ok);
    try {
      const first = await startSiteServer(config.value);
      await first.context.settings.setNotifications({ mailTo: ['admin@plant.example'] });
      const event = eventOf({ id: 'sit_restart', name: 'Plant 2' }, 'license.expiring');
      await first.context.db.transaction().execute(async (trx) => {
        await first.context.notifier.notify(event, trx);
      });
      await first.close();
      assert.equal(smtp.received.length, 0, 'closed before delivery');

      const second = await startSiteServer(config.value);
      try {
        const pending = await second.context.notifier.history();
        assert.deepEqual(
          pending.map((n) => [n.id, n.deliveries[0]?.state, n.hook.state]),
          [[event.id, 'pending', 'pending']],
        );
        await second.context.notifier.deliverDue();
        const mail = await smtp.waitFor((m) => m.parsed.messageId?.startsWith(`<${event.id}@`) === true);
        assert.match(mail.parsed.subject ?? '', /\[Plant 2\] License .* is valid through 2027-02-28 only/);
        const [record] = await second.context.notifier.history();
        assert.equal(record?.deliveries[0]?.state, 'sent');
        assert.equal(record?.hook.state, 'skipped');
      } finally {
        await second.close();
      }
    } finally {
      await smtp.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('forgets a notification whose transaction rolled back', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'keyward-site-outbox-'));
    const config = readSiteConfig({
      KEYWARD_SITE_DATA_DIR: dataDir,
      KEYWARD_SITE_PORT: '0',
      KEYWARD_LOG_LEVEL: 'silent',
    });
    assert.ok(config.ok);
    const site = await startSiteServer(config.value);
    try {
      const event = eventOf({ id: 'sit_rollback', name: 'Plant 3' }, 'license.expiring');
      await assert.rejects(
        site.context.db.transaction().execute(async (trx) => {
          await site.context.notifier.notify(event, trx);
          throw new Error('the change that raised it failed');
        }),
      );
      assert.deepEqual(await site.context.notifier.history(), []);
    } finally {
      await site.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('writes the mail as an .eml file under <dataDir>/mail when no SMTP server is set', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'keyward-site-eml-'));
    const config = readSiteConfig({
      KEYWARD_SITE_DATA_DIR: dataDir,
      KEYWARD_SITE_PORT: '0',
      KEYWARD_LOG_LEVEL: 'silent',
    });
    assert.ok(config.ok);
    const site = await startSiteServer(config.value);
    try {
      await site.context.settings.setNotifications({ mailTo: ['admin@plant.example'] });
      const event = eventOf({ id: 'sit_files', name: 'Plant 4' }, 'license.expiring');
      await site.context.notifier.notify(event);
      await site.context.notifier.deliverDue();
      const files = await readdir(join(dataDir, 'mail'));
      const file = files.find((name) => name.endsWith(`-${event.id}.eml`));
      assert.ok(file, `an .eml file for ${event.id} in ${files.join(', ')}`);
      const text = await readFile(join(dataDir, 'mail', file), 'utf8');
      assert.match(text, /Subject: \[Plant 4\] License/);
      assert.match(text, /To: admin@plant\.example/);
    } finally {
      await site.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
