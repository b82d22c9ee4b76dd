import assert from 'node:assert/strict';
import { access, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HeldLease } from '@keyward/client';
import {
  decodeSiteLicenseFile,
  encodeSiteLicenseFile,
  type SiteLicense,
  verifyStandardWebhook,
} from '@keyward/core';
import type { ExpirationRun, LicenseView, NotificationRecord, SiteEventKind } from '@keyward/site';
import { until } from './support/mail.js';
import { siteCall, startTestSite, type TestSite } from './support/site-server.js';
import { smtpReceiver } from './support/smtp-receiver.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';
import { webhookReceiver } from './support/webhook-receiver.js';

type Items = Record<string, Record<string, number>>;

/**
 * The source document's automatic update, end to end on loopback: the vendor holds renewals bought
 * in advance; site A runs the License key expiration task and propagates to its stations and to
 * its neighbours B (protocol 2), C (protocol 2, offline during the renewal) and D (protocol 1).
 */
describe('automatic renewal across site servers', () => {
  let vendor: TestVendor;
  let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
  let webhook: Awaited<ReturnType<typeof webhookReceiver>>;
  let hookDir: string;
  let webhookSecret: string;
  let a: TestSite;
  let b: TestSite;
  let c: TestSite;
  let d: TestSite;

  const serialOf = (issued: Issued) => issued.licenses[0]?.serial ?? '';
  const licensesOf = async (site: TestSite) =>
    (await site.admin<{ licenses: LicenseView[] }>('GET', '/v1/site/licenses')).licenses;
  const held = async (site: TestSite, serial: string) =>
    (await licensesOf(site)).find((license) => license.serial === serial);
  const run = (site: TestSite) => site.admin<ExpirationRun>('POST', '/v1/site/tasks/license-expiration/run');
  const outcomeOf = (ran: ExpirationRun, serial: string) => ran.keys.find((key) => key.serial === serial);
  const history = (site: TestSite) => site.server.context.notifier.history();
  const notices = async (site: TestSite, kind: SiteEventKind, serial: string) =>
    (await history(site)).filter(
      (notice: NotificationRecord) => notice.kind === kind && notice.event.license.serial === serial,
    );

  /** A license of a new product expiring in `days`, added to A by hand from its key file. */
  async function keyOnA(items: Items, days: number): Promise<Issued> {
    const issued = await vendor.issue({ items, durationDays: days });
    await a.admin('POST', '/v1/site/licenses', { file: await a.keyFile(serialOf(issued)) });
    return issued;
  }

  /** A license of the same product bought in advance, tied on the vendor to the one it renews. */
  async function renewalOf(issued: Issued, items: Items, tie = true): Promise<string> {
    const policy = await vendor.admin<{ id: string }>('POST', '/v1/policies', {
      product: issued.product.code,
      name: `renewal-${Math.random().toString(36).slice(2, 8)}`,
      items,
      durationDays: 400,
    });
    const { licenses } = await vendor.admin<{ licenses: Array<{ serial: string }> }>('POST', '/v1/licenses', {
      policy: policy.id,
    });
    const serial = licenses[0]?.serial ?? '';
    if (tie) await vendor.admin('POST', `/v1/licenses/${serialOf(issued)}/renewals`, { renewal: serial });
    return serial;
  }

  async function lease(site: TestSite, issued: Issued, stationId: string): Promise<HeldLease> {
    const leased = await site.station(stationId, issued.sdkConfig).lease('cad', 'nodes');
    assert.ok(leased.ok, `${stationId} leases: ${leased.ok ? '' : leased.error.code}`);
    return leased.value;
  }

  const donate = (serial: string, to: TestSite, nodes: number) =>
    a.admin('POST', `/v1/site/licenses/${serial}/propagation`, {
      neighbour: to.siteId,
      items: { cad: { nodes } },
    });

  async function befriend(child: TestSite): Promise<void> {
    await child.admin('POST', '/v1/site/neighbours', {
      role: 'parent',
      siteId: a.siteId,
      name: 'Head office',
    });
    await a.admin('POST', '/v1/site/neighbours', { role: 'child', siteId: child.siteId, url: child.url });
  }

  before(async () => {
    vendor = await startTestVendor();
    smtp = await smtpReceiver();
    webhook = await webhookReceiver();
    hookDir = await mkdtemp(join(tmpdir(), 'keyward-renewal-hook-'));
    a = await startTestSite(vendor, {
      env: {
        KEYWARD_SITE_VENDOR_URL: vendor.url,
        KEYWARD_SITE_SMTP_URL: smtp.url,
        KEYWARD_SITE_MAIL_FROM: 'Head office licensing <licensing@plant.example>',
      },
    });
    b = await startTestSite(vendor, { env: { KEYWARD_SITE_VENDOR_URL: vendor.url } });
    c = await startTestSite(vendor, { env: { KEYWARD_SITE_VENDOR_URL: vendor.url } });
    d = await startTestSite(vendor, {
      env: { KEYWARD_SITE_VENDOR_URL: vendor.url, KEYWARD_SITE_PROTOCOL: '1' },
    });
    for (const child of [b, c, d]) await befriend(child);

    // The hook keeps every event it is given and saves the new key's file, as an administrator's would.
    const hook = join(hookDir, 'on-notification.mjs');
    await writeFile(
      hook,
      `#!${process.execPath}
import { readFileSync, writeFileSync } from 'node:fs';
const event = JSON.parse(readFileSync(0, 'utf8'));
writeFileSync(${JSON.stringify(hookDir)} + '/' + event.id + '.json', JSON.stringify(event));
if (event.keyFile) writeFileSync(${JSON.stringify(hookDir)} + '/' + event.renewal.serial + '.key', event.keyFile);
`,
    );
    await chmod(hook, 0o755);
    const settings = await a.admin<{ webhook: { secret?: string } }>(
      'PUT',
      '/v1/site/settings/notifications',
      {
        mail: { to: ['it@plant.example'] },
        webhook: { url: webhook.url },
        hook: { path: hook, timeoutSeconds: 10 },
      },
    );
    webhookSecret = settings.webhook.secret ?? '';
    await a.admin('PUT', '/v1/site/settings/expiration-task', { enabled: true, daysBefore: 30 });
  });
  after(async () => {
    for (const site of [a, b, c, d]) await site.close();
    await smtp.close();
    await webhook.close();
    await vendor.close();
    await rm(hookDir, { recursive: true, force: true });
  });

  /** Every channel and the hook delivered this notification. */
  async function delivered(notice: NotificationRecord): Promise<Record<string, unknown>> {
    await a.server.context.notifier.deliverDue();
    const mail = await smtp.waitFor((m) => (m.parsed.subject ?? '').includes(notice.event.license.serial));
    assert.deepEqual(mail.recipients, ['it@plant.example']);
    const hook = await until('the hook ran', async () => {
      const path = join(hookDir, `${notice.id}.json`);
      return access(path).then(
        async () => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>,
        () => undefined,
      );
    });
    const call = webhook.received.find((r) => r.headers['webhook-id'] === notice.id);
    assert.ok(call, 'the webhook was called');
    const verified = verifyStandardWebhook(
      webhookSecret,
      {
        id: call.headers['webhook-id'] as string,
        timestamp: call.headers['webhook-timestamp'] as string,
        signature: call.headers['webhook-signature'] as string,
      },
      call.body,
    );
    assert.ok(verified.ok, 'the webhook signature verifies');
    return hook;
  }

  it('1. no renewal bought: the expiration notification, once; a neighbour does not renew what it received', async () => {
    const issued = await keyOnA({ cad: { nodes: 10 } }, 20);
    const serial = serialOf(issued);
    await donate(serial, b, 2);
    const far = await keyOnA({ cad: { nodes: 10 } }, 200);

    const ran = await run(a);
    assert.deepEqual(outcomeOf(ran, serial), { serial, outcome: 'expiring', renewalSerial: null });
    assert.equal(outcomeOf(ran, serialOf(far)), undefined, 'a key far from its end is left alone');
    const [notice, ...more] = await notices(a, 'license.expiring', serial);
    assert.ok(notice);
    assert.equal(more.length, 0);
    const hookSaw = await delivered(notice);
    assert.equal(hookSaw.kind, 'license.expiring');

    await run(a);
    assert.equal((await notices(a, 'license.expiring', serial)).length, 1, 'notified once, not at every run');

    const onB = await run(b);
    assert.deepEqual(onB.keys, [], "B holds the key from its neighbour: it is A's to renew");
    assert.equal((await history(b)).length, 0);
  });

  it('2. a renewal lacking a component or with fewer licenses: added, not propagated, the reason notified', async () => {
    const missing = await keyOnA({ core: { users: 10 }, export: { users: 5 } }, 20);
    const fewer = await keyOnA({ cad: { nodes: 10 } }, 20);
    const station = await lease(a, fewer, 'ws-fewer');
    const withoutExport = await renewalOf(missing, { core: { users: 50 } });
    const smaller = await renewalOf(fewer, { cad: { nodes: 5 } });

    const ran = await run(a);
    assert.equal(outcomeOf(ran, serialOf(missing))?.reason?.mismatch, 'MISSING_COMPONENT');
    assert.equal(outcomeOf(ran, serialOf(fewer))?.reason?.mismatch, 'FEWER_SEATS');
    for (const [old, renewal] of [
      [serialOf(missing), withoutExport],
      [serialOf(fewer), smaller],
    ] as const) {
      const added = await held(a, renewal);
      assert.equal(added?.origin, 'renewal');
      assert.equal(added?.keyFile, null, 'an automatically updated key has no key file until exported');
      assert.deepEqual(added?.propagation, { stations: [], neighbours: [] }, 'not propagated');
      assert.equal((await held(a, old))?.replacedBy, null, 'the current key stays in place');
    }
    const [notice] = await notices(a, 'license.renewal_incompatible', serialOf(missing));
    assert.ok(notice);
    assert.match(notice.event.reason?.message ?? '', /export/);
    const hookSaw = await delivered(notice);
    assert.equal((hookSaw.renewal as { serial: string }).serial, withoutExport);
    // The hook saved the key file the notification carried: it is the renewal, for this site.
    const saved = await readFile(join(hookDir, `${withoutExport}.key`), 'utf8');
    assert.ok(decodeSiteLicenseFile(saved).ok);
    const [fewerNotice] = await notices(a, 'license.renewal_incompatible', serialOf(fewer));
    assert.match(fewerNotice?.event.reason?.message ?? '', /cad\/nodes \(5 instead of 10\)/);

    const beat = await a.station('ws-fewer', fewer.sdkConfig).heartbeat(station);
    assert.equal(beat.ok && beat.value.lease.serial, serialOf(fewer), 'the station keeps the current key');
    await run(a);
    assert.equal((await notices(a, 'license.renewal_incompatible', serialOf(fewer))).length, 1);
  });

  it('3. a compatible renewal takes the old key’s place on every station and neighbour; the old key waits for the offline one', async () => {
    const issued = await keyOnA({ cad: { nodes: 10 } }, 20);
    const old = serialOf(issued);
    const onA = [await lease(a, issued, 'ws-1'), await lease(a, issued, 'ws-2')];
    await donate(old, b, 2);
    await donate(old, c, 2);
    const onB = await lease(b, issued, 'b-ws-1');
    await c.stop();
    const renewal = await renewalOf(issued, { cad: { nodes: 12 }, render: { nodes: 1 } });

    const ran = await run(a);
    assert.deepEqual(outcomeOf(ran, old), { serial: old, outcome: 'renewed', renewalSerial: renewal });
    const added = await held(a, renewal);
    assert.equal(added?.origin, 'renewal');
    assert.equal(added?.keyFile, null);
    assert.deepEqual(added?.propagation.stations.map((s) => s.stationId).sort(), ['ws-1', 'ws-2']);
    assert.deepEqual(
      added?.propagation.neighbours.map((n) => [n.siteId, n.seats, n.state]).sort(),
      [
        [b.siteId, 2, 'delivered'],
        [c.siteId, 2, 'pending'],
      ].sort(),
    );
    assert.equal((await held(a, old))?.replacedBy, renewal, 'kept while C, offline, still holds it');

    // Stations keep their leases: the next heartbeat answers a lease of the new key.
    for (const [n, lease] of onA.entries()) {
      const beat = await a.station(`ws-${n + 1}`, issued.sdkConfig).heartbeat(lease);
      assert.ok(beat.ok);
      assert.deepEqual([beat.value.lease.leaseId, beat.value.lease.serial], [lease.lease.leaseId, renewal]);
    }
    const bBeat = await b.station('b-ws-1', issued.sdkConfig).heartbeat(onB);
    assert.equal(bBeat.ok && bBeat.value.lease.serial, renewal);
    assert.deepEqual(
      (await licensesOf(b)).filter((l) => l.product === issued.product.code).map((l) => l.serial),
      [renewal],
      'B moved to the new key and dropped the old one',
    );

    // Every server that got the new key says so.
    const [notice] = await notices(a, 'license.renewed', old);
    assert.deepEqual([...(notice?.event.renewal?.propagatedTo.stations ?? [])].sort(), ['ws-1', 'ws-2']);
    assert.deepEqual(
      [...(notice?.event.renewal?.propagatedTo.neighbours ?? [])].sort(),
      [b.siteId, c.siteId].sort(),
    );
    assert.ok(notice);
    await delivered(notice);
    assert.equal((await notices(b, 'license.renewed', old)).length, 1);

    // C comes back: it gets the new key about a minute later, and then nobody uses the old one.
    await a.server.context.propagation.syncNeighbours();
    assert.equal((await held(a, old))?.replacedBy, renewal);
    await c.start();
    await a.server.context.propagation.syncNeighbours();
    assert.deepEqual(await a.server.context.expiration.retireReplaced(), [old]);
    assert.equal(await held(a, old), undefined);
    assert.deepEqual(
      (await licensesOf(c)).filter((l) => l.product === issued.product.code).map((l) => l.serial),
      [renewal],
    );
    assert.equal((await notices(c, 'license.renewed', old)).length, 1);

    // The key file appears once exported; the seats in use never exceed the new key's.
    const exported = await a.admin<{ keyFile: string; file: string }>(
      'POST',
      `/v1/site/licenses/${renewal}/export`,
    );
    assert.equal(await readFile(exported.keyFile, 'utf8'), exported.file);
    assert.equal((await held(a, renewal))?.keyFile, exported.keyFile);
  });

  it('a neighbour whose protocol lacks automatic update gets the new key donated, not propagated; the old key stays until removed by hand', async () => {
    const issued = await keyOnA({ cad: { nodes: 10 } }, 20);
    const old = serialOf(issued);
    await donate(old, d, 3);
    const renewal = await renewalOf(issued, { cad: { nodes: 10 } });
    const ran = await run(a);
    assert.equal(outcomeOf(ran, old)?.outcome, 'renewed');
    assert.deepEqual(
      (await licensesOf(d))
        .filter((l) => l.product === issued.product.code)
        .map((l) => l.serial)
        .sort(),
      [old, renewal].sort(),
      'D holds both keys: its protocol cannot replace one by the other',
    );
    assert.equal((await notices(d, 'license.renewed', old)).length, 0);
    await run(a);
    await a.server.context.propagation.syncNeighbours();
    assert.equal((await held(a, old))?.replacedBy, renewal, 'kept: D still uses it');
    const removed = await siteCall(a, 'DELETE', `/v1/site/licenses/${old}`);
    assert.equal(removed.status, 200);
    assert.equal(await held(a, old), undefined);
  });

  it('manual update (a): the new key already on every object of the old one, so the task changes nothing there', async () => {
    const issued = await keyOnA({ cad: { nodes: 4 } }, 20);
    const old = serialOf(issued);
    await lease(a, issued, 'va-1');
    await lease(a, issued, 'va-2');
    const renewal = await renewalOf(issued, { cad: { nodes: 4 } });
    await a.admin('POST', '/v1/site/licenses', { file: await a.keyFile(renewal) });
    await a.admin('POST', `/v1/site/licenses/${renewal}/propagation/stations`, {
      stations: ['va-1', 'va-2'],
    });

    const ran = await run(a);
    assert.equal(outcomeOf(ran, old)?.outcome, 'renewed');
    const [notice] = await notices(a, 'license.renewed', old);
    assert.deepEqual(notice?.event.renewal?.propagatedTo, { stations: [], neighbours: [] });
    const kept = await held(a, renewal);
    assert.equal(kept?.origin, 'manual', 'the key added by hand stays as it was added');
    assert.deepEqual(kept?.propagation.stations.map((s) => s.stationId).sort(), ['va-1', 'va-2']);
    assert.ok(ran.removed.includes(old), 'no object uses the old key any more');
  });

  it('manual update (b) with extra objects and too few licenses: the rest moved where seats allow, the old key deleted anyway, the others served later', async () => {
    const issued = await keyOnA({ cad: { nodes: 4 } }, 20);
    const old = serialOf(issued);
    const first = await lease(a, issued, 'vb-1');
    await lease(a, issued, 'vb-2');
    const third = await lease(a, issued, 'vb-3');
    await donate(old, b, 1);
    const renewal = await renewalOf(issued, { cad: { nodes: 4 } });
    await a.admin('POST', '/v1/site/licenses', { file: await a.keyFile(renewal) });
    // By hand: the new key to one object of the old key, and to two stations the old key never had.
    await a.admin('POST', `/v1/site/licenses/${renewal}/propagation/stations`, { stations: ['vb-1'] });
    assert.ok(first);
    const extra = [await lease(a, issued, 'extra-1'), await lease(a, issued, 'extra-2')];
    await a.admin('POST', `/v1/site/licenses/${renewal}/propagation/stations`, {
      stations: ['extra-1', 'extra-2'],
    });
    assert.deepEqual((await held(a, renewal))?.propagation.stations.map((s) => s.stationId).sort(), [
      'extra-1',
      'extra-2',
      'vb-1',
    ]);

    const ran = await run(a);
    assert.equal(outcomeOf(ran, old)?.outcome, 'renewed');
    assert.ok(ran.removed.includes(old), 'the old key is deleted anyway');
    const now = await held(a, renewal);
    assert.deepEqual(now?.propagation.stations.map((s) => s.stationId).sort(), [
      'extra-1',
      'extra-2',
      'vb-1',
      'vb-2',
    ]);
    assert.deepEqual(
      now?.propagation.neighbours.map((n) => [n.siteId, n.state]),
      [[b.siteId, 'waiting']],
    );
    const lost = await a.station('vb-3', issued.sdkConfig).heartbeat(third);
    assert.equal(lost.ok ? 'kept' : lost.error.code, 'LEASE_NOT_FOUND', 'vb-3 is left without a license');
    assert.equal(
      await a
        .station('vb-3', issued.sdkConfig)
        .lease('cad', 'nodes')
        .then((r) => (r.ok ? 'leased' : r.error.code)),
      'NO_SEAT_AVAILABLE',
    );

    // A seat frees up: the station gets it on its next connection...
    await a.station('extra-1', issued.sdkConfig).release(extra[0] as HeldLease);
    const back = await lease(a, issued, 'vb-3');
    assert.equal(back.lease.serial, renewal);
    // ...and the neighbour gets its share on the next offer, about a minute later.
    await a.station('extra-2', issued.sdkConfig).release(extra[1] as HeldLease);
    await a.server.context.propagation.syncNeighbours();
    assert.deepEqual(
      (await held(a, renewal))?.propagation.neighbours.map((n) => [n.siteId, n.state]),
      [[b.siteId, 'delivered']],
    );
    assert.equal((await held(b, renewal))?.items.cad?.nodes, 1);
  });

  it('a tampered renewal, one issued for another site, or one hidden on the way is refused and nothing is added', async () => {
    const widen = (file: string) => {
      const envelope = decodeSiteLicenseFile(file);
      assert.ok(envelope.ok);
      const terms = JSON.parse(Buffer.from(envelope.value.payload, 'base64url').toString()) as SiteLicense;
      const widened = { ...terms, contents: { ...terms.contents, items: { cad: { nodes: 1000 } } } };
      return encodeSiteLicenseFile(
        { ...envelope.value, payload: Buffer.from(JSON.stringify(widened)).toString('base64url') },
        widened,
      );
    };
    for (const [attack, expected] of [
      ['edited', 'SIGNATURE_INVALID'],
      ['foreign', 'WRONG_SITE'],
      ['hidden', 'ANSWER_MISMATCH'],
    ] as const) {
      // A serial is held by one site, so each attack has its own license, renewal and spare.
      const issued = await vendor.issue({ items: { cad: { nodes: 10 } }, durationDays: 20 });
      const old = serialOf(issued);
      await renewalOf(issued, { cad: { nodes: 10 } });
      const spare = await renewalOf(issued, { cad: { nodes: 10 } }, false);
      const proxy = await renewalProxy(vendor, async (answer) => {
        if (answer.renewal === null) return answer;
        if (attack === 'hidden') return { ...answer, renewal: null };
        const file = attack === 'foreign' ? await b.keyFile(spare) : widen(answer.renewal.file);
        return { ...answer, renewal: { ...answer.renewal, file } };
      });
      const f = await startTestSite(vendor, { env: { KEYWARD_SITE_VENDOR_URL: proxy.url } });
      try {
        await f.admin('POST', '/v1/site/licenses', { file: await f.keyFile(old) });
        const ran = await run(f);
        assert.deepEqual(
          [outcomeOf(ran, old)?.outcome, outcomeOf(ran, old)?.error?.code],
          ['failed', expected],
          attack,
        );
        assert.deepEqual(
          (await licensesOf(f)).map((l) => l.serial),
          [old],
        );
        assert.equal((await history(f)).length, 0);
      } finally {
        await f.close();
        await proxy.close();
      }
    }
  });

  it('a disabled task renews nothing; the vendor’s fleet view shows each site’s keys and their propagation', async () => {
    const issued = await keyOnA({ cad: { nodes: 10 } }, 20);
    await renewalOf(issued, { cad: { nodes: 10 } });
    await a.admin('PUT', '/v1/site/settings/expiration-task', { enabled: false });
    const ran = await run(a);
    assert.deepEqual([ran.enabled, ran.keys], [false, []]);
    assert.equal((await held(a, serialOf(issued)))?.replacedBy, null);
    await a.admin('PUT', '/v1/site/settings/expiration-task', { enabled: true });

    const fleet = await vendor.admin<{
      report: {
        licenses: Array<{ serial: string; origin: string; neighbours: Array<{ siteId: string }> }>;
      } | null;
    }>('GET', `/v1/sites/${a.siteId}`);
    const reported = fleet.report?.licenses ?? [];
    const mine = await licensesOf(a);
    assert.deepEqual(
      reported.map((l) => [l.serial, l.origin]).sort(),
      mine.map((l) => [l.serial, l.origin]).sort(),
    );
    assert.ok(reported.some((l) => l.neighbours.some((n) => n.siteId === b.siteId)));
  });

  it('a site server that was down when the task was due runs it when it is back', async () => {
    const e = await startTestSite(vendor, { env: { KEYWARD_SITE_VENDOR_URL: vendor.url } });
    try {
      const issued = await vendor.issue({ items: { cad: { nodes: 2 } }, durationDays: 45 });
      const serial = serialOf(issued);
      await e.admin('POST', '/v1/site/licenses', { file: await e.keyFile(serial) });
      assert.deepEqual((await run(e)).keys, [], 'not due yet: 45 days left, the task acts 30 days before');
      await e.stop();
      vendor.clock.advanceDays(20);
      await e.start();
      const notice = await until(
        'the task ran at start',
        async () => (await notices(e, 'license.expiring', serial))[0],
      );
      assert.equal(notice.event.license.serial, serial);
    } finally {
      await e.close();
    }
  });
});

interface RenewalAnswerBody {
  readonly renewal: { readonly serial: string; readonly file: string } | null;
}

/**
 * The vendor as a site sees it through a hostile network: every call goes through, but the
 * renewal answer is replaced by what `tamper` makes of it.
 */
async function renewalProxy(
  vendor: TestVendor,
  tamper: (answer: RenewalAnswerBody) => Promise<RenewalAnswerBody>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', async () => {
      const upstream = await fetch(`${vendor.url}${request.url}`, {
        method: request.method,
        headers: { 'content-type': 'application/json' },
        body: request.method === 'GET' ? undefined : body,
      });
      let text = await upstream.text();
      if (request.url === '/v1/site-api/renewals' && upstream.ok) {
        text = JSON.stringify(await tamper(JSON.parse(text) as RenewalAnswerBody));
      }
      response.writeHead(upstream.status, { 'content-type': 'application/json' });
      response.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
