import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { newStandardWebhookSecret, standardWebhookHeaders } from '@keyward/core';
import { WEBHOOK_EVENTS } from '@keyward/server';
import { Webhook } from 'standardwebhooks';
import { json, keyward } from './support/cli.js';
import { testComputer } from './support/computer.js';
import { queueUpdate } from './support/updates.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';
import { eventOf, type Received, verifies, webhookReceiver } from './support/webhook-receiver.js';

const ALL_EVENTS = [...WEBHOOK_EVENTS];

describe('webhook signatures agree with the standardwebhooks package', () => {
  it('signs the specification example as the package does', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const at = new Date(1614265330 * 1000);
    const reference = new Webhook(secret).sign('msg_p5jXN8AQM9LWM0D4loKWxJek', at, '{"test": 2432232314}');
    assert.equal(reference, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    assert.equal(
      standardWebhookHeaders(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')[
        'webhook-signature'
      ],
      reference,
    );
  });

  it('signs as the package does for fresh secrets and bodies beyond ASCII', () => {
    for (const body of ['{}', '{"type":"license.activated","data":{"name":"Zoë ✓"}}', 'x'.repeat(70_000)]) {
      const secret = newStandardWebhookSecret();
      const at = new Date();
      const seconds = Math.floor(at.getTime() / 1000);
      assert.equal(
        standardWebhookHeaders(secret, 'evt_1', seconds, body)['webhook-signature'],
        new Webhook(secret).sign('evt_1', at, body),
      );
    }
  });
});

describe('webhooks: Standard Webhooks, delivered through the job runner, retried until acknowledged', () => {
  let vendor: TestVendor;
  let issued: Issued;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  let endpointId: string;
  let secret: string;

  before(async () => {
    vendor = await startTestVendor();
    receiver = await webhookReceiver();
    issued = await vendor.issue({ counters: { exports: 1 } }, 2);
    const endpoint = await vendor.admin<{ id: string; secret: string }>('POST', '/v1/webhooks', {
      url: receiver.url,
      events: ALL_EVENTS,
    });
    endpointId = endpoint.id;
    secret = endpoint.secret;
    receiver.verifyWith(secret);
  });
  after(async () => {
    await vendor.close();
    await receiver.close();
  });

  /** Waits until no job is due, so the next delivery is the only one in flight. */
  const jobsDone = async () => {
    for (let wait = 0; wait < 200; wait++) {
      const pending = await vendor.server.context.db
        .selectFrom('jobs')
        .select('id')
        .where('state', '=', 'pending')
        .where('run_at', '<=', new Date().toISOString())
        .execute();
      if (pending.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('jobs still pending');
  };

  it('the endpoint secret is answered once, at creation, and kept locked at rest', async () => {
    assert.match(secret, /^whsec_/);
    assert.equal(Buffer.from(secret.slice('whsec_'.length), 'base64').length, 32);
    const { webhooks } = await vendor.admin<{ webhooks: Array<Record<string, unknown>> }>(
      'GET',
      '/v1/webhooks',
    );
    assert.deepEqual(Object.keys(webhooks[0] ?? {}).sort(), ['createdAt', 'enabled', 'events', 'id', 'url']);
    const stored = await vendor.server.context.db
      .selectFrom('webhook_endpoints')
      .select('locked_secret')
      .where('id', '=', endpointId)
      .executeTakeFirstOrThrow();
    const key = secret.slice('whsec_'.length);
    assert.ok(stored.locked_secret?.startsWith('v1.'));
    assert.ok(!stored.locked_secret?.includes(key));
  });

  it('each license event reaches the receiver as { type, timestamp, data }, verified by the standardwebhooks package', async () => {
    const serial = issued.licenses[0]?.serial ?? '';
    const a = await testComputer('hook-a', issued.sdkConfig);
    const b = await testComputer('hook-b', issued.sdkConfig);
    assert.ok((await a.client.activate(serial)).ok);
    assert.equal((await b.client.activate(serial)).ok, false);
    assert.ok((await a.client.deactivate()).ok);
    assert.ok((await b.restart().activate(serial)).ok);
    await queueUpdate(vendor, serial, [{ op: 'set-counter', name: 'exports', value: 5 }]);
    await vendor.admin('POST', `/v1/licenses/${serial}/suspend`, { reason: 'test' });

    for (const type of [
      'license.activated',
      'license.check_failed',
      'license.transferred',
      'license.updated',
      'license.suspended',
    ]) {
      const delivery = await receiver.waitFor((event) => event.type === type);
      assert.ok(verifies(secret, delivery), `${type} signature`);
      assert.equal(delivery.headers['content-type'], 'application/json');
      const payload = JSON.parse(delivery.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(payload), ['type', 'timestamp', 'data']);
      const event = eventOf(delivery);
      assert.match(event.id, /^evt_/);
      assert.equal(new Date(event.timestamp).toISOString(), event.timestamp);
      assert.equal(event.data.licenseId, issued.licenses[0]?.id);
      const seconds = Number(delivery.headers['webhook-timestamp']);
      assert.ok(Math.abs(seconds - Date.now() / 1000) < 60, 'the timestamp of the attempt, in unix seconds');

      assert.ok(
        !verifies(secret, { ...delivery, body: delivery.body.replace('license', 'lisence') }),
        'tampered',
      );
      assert.ok(!verifies(newStandardWebhookSecret(), delivery), 'another secret');
      const otherId = { ...delivery.headers, 'webhook-id': 'evt_other' };
      assert.ok(!verifies(secret, { ...delivery, headers: otherId }), 'another event id');
    }
  });

  it('a receiver that fails is retried with backoff until it acknowledges; every attempt is recorded and carries the same event id', async () => {
    await jobsDone();
    receiver.statuses.push(500, 503);
    const before = receiver.received.length;
    await vendor.admin('POST', `/v1/licenses/${issued.licenses[0]?.serial}/reinstate`, {});
    let record: { state: string; attempts: number; lastStatus: number | null } | undefined;
    for (let wait = 0; wait < 200 && record?.state !== 'delivered'; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const { deliveries } = await vendor.admin<{
        deliveries: Array<{ eventType: string; state: string; attempts: number; lastStatus: number | null }>;
      }>('GET', `/v1/webhooks/${endpointId}/deliveries`);
      record = deliveries.find((delivery) => delivery.eventType === 'license.reinstated');
    }
    const delivered = await receiver.waitFor((event) => event.type === 'license.reinstated');
    const attempts = receiver.received
      .slice(before)
      .filter((entry) => entry.headers['webhook-id'] === delivered.headers['webhook-id']);
    assert.equal(attempts.length, 3);
    assert.equal(new Set(attempts.map((entry) => entry.body)).size, 1, 'the same event each time');
    assert.ok(
      attempts.every((entry) => verifies(secret, entry)),
      'each attempt signed anew',
    );
    assert.deepEqual(record && [record.state, record.attempts, record.lastStatus], ['delivered', 3, 200]);
  });

  it('licenses entering their last week are announced once (license.expiring), by the hourly scan', async () => {
    const soon = await vendor.issue({ durationDays: 3 }, 2);
    const later = await vendor.issue({ durationDays: 30 }, 1);
    await jobsDone();
    const scan = () =>
      vendor.server.context.jobs.enqueue({ kind: 'licenses.scan-expiring', payload: {}, runAt: new Date() });
    await scan();
    for (const license of soon.licenses) {
      await receiver.waitFor(
        (event) => event.type === 'license.expiring' && JSON.stringify(event).includes(license.id),
      );
    }
    await scan();
    await jobsDone();
    const announced = receiver.received
      .map((entry) => JSON.parse(entry.body) as { type: string; data: { licenseId: string } })
      .filter((event) => event.type === 'license.expiring');
    assert.equal(announced.length, 2, 'once per license, not again at the next scan');
    assert.ok(
      !announced.some((event) => event.data.licenseId === later.licenses[0]?.id),
      'a month away is not announced yet',
    );
  });

  it('a receiver that redirects is not followed: the event never reaches the other address', async () => {
    const elsewhere = await webhookReceiver();
    const redirector = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(307, { location: elsewhere.url });
        response.end();
      });
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = redirector.address() as AddressInfo;
      const endpoint = await vendor.admin<{ id: string }>('POST', '/v1/webhooks', {
        url: `http://127.0.0.1:${port}/hooks`,
        events: ['license.suspended'],
      });
      await vendor.admin('POST', `/v1/licenses/${issued.licenses[1]?.serial}/suspend`, {});
      let record: { attempts: number; lastStatus: number | null; lastError: string | null } | undefined;
      for (let wait = 0; wait < 200 && record === undefined; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const { deliveries } = await vendor.admin<{
          deliveries: Array<{ attempts: number; lastStatus: number | null; lastError: string | null }>;
        }>('GET', `/v1/webhooks/${endpoint.id}/deliveries`);
        record = deliveries.find((delivery) => delivery.attempts > 0);
      }
      assert.equal(record?.lastStatus, 307);
      assert.match(record?.lastError ?? '', /redirects are not followed/);
      assert.equal(elsewhere.received.length, 0);
      await vendor.admin('POST', `/v1/webhooks/${endpoint.id}/disable`, {});
      await vendor.admin('POST', `/v1/licenses/${issued.licenses[1]?.serial}/reinstate`, {});
      await jobsDone();
    } finally {
      redirector.close();
      await elsewhere.close();
    }
  });

  it('rotating the secret answers a new one once; deliveries then verify with it, not with the old', async () => {
    await jobsDone();
    const rotated = await vendor.admin<{ id: string; secret: string }>(
      'POST',
      `/v1/webhooks/${endpointId}/rotate-secret`,
      {},
    );
    assert.equal(rotated.id, endpointId);
    assert.match(rotated.secret, /^whsec_/);
    assert.notEqual(rotated.secret, secret);
    receiver.verifyWith(rotated.secret);
    const { webhooks } = await vendor.admin<{ webhooks: unknown[] }>('GET', '/v1/webhooks');
    assert.ok(!JSON.stringify(webhooks).includes(rotated.secret.slice('whsec_'.length)));

    const before = receiver.received.length;
    await vendor.admin('POST', `/v1/licenses/${issued.licenses[0]?.serial}/suspend`, {});
    const suspended = () =>
      receiver.received.slice(before).find((entry) => eventOf(entry).type === 'license.suspended');
    await receiver.waitFor(() => suspended() !== undefined);
    const delivery = suspended() as Received;
    assert.ok(verifies(rotated.secret, delivery));
    assert.ok(!verifies(secret, delivery), 'the rotated-away secret no longer verifies');
  });

  it('rotating refuses an unknown endpoint and a caller without the admin token', async () => {
    const unknown = await fetch(`${vendor.url}/v1/webhooks/whk_nobody/rotate-secret`, {
      method: 'POST',
      headers: { authorization: `Bearer ${vendor.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { code: string }).code, 'NOT_FOUND');
    const anonymous = await fetch(`${vendor.url}/v1/webhooks/${endpointId}/rotate-secret`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(anonymous.status, 401);
    assert.ok(!(await anonymous.text()).includes('whsec_'));
  });

  it('an endpoint from before secrets existed gets one at its first delivery, never sending unsigned', async () => {
    const late = await webhookReceiver();
    try {
      const endpoint = await vendor.admin<{ id: string }>('POST', '/v1/webhooks', {
        url: late.url,
        events: ['license.reinstated'],
      });
      const db = vendor.server.context.db;
      await db
        .updateTable('webhook_endpoints')
        .set({ locked_secret: null })
        .where('id', '=', endpoint.id)
        .execute();
      await vendor.admin('POST', `/v1/licenses/${issued.licenses[0]?.serial}/reinstate`, {});
      const delivered = await late.waitFor((event) => event.type === 'license.reinstated');
      assert.match(String(delivered.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]{43}=$/);
      const stored = await db
        .selectFrom('webhook_endpoints')
        .select('locked_secret')
        .where('id', '=', endpoint.id)
        .executeTakeFirstOrThrow();
      assert.notEqual(stored.locked_secret, null);
      // The vendor learns a secret by rotating; the next delivery verifies with it.
      const { secret: learned } = await vendor.admin<{ secret: string }>(
        'POST',
        `/v1/webhooks/${endpoint.id}/rotate-secret`,
        {},
      );
      await vendor.admin('POST', `/v1/licenses/${issued.licenses[0]?.serial}/suspend`, {});
      await vendor.admin('POST', `/v1/licenses/${issued.licenses[0]?.serial}/reinstate`, {});
      await late.waitFor(() => late.received.length === 2);
      assert.ok(verifies(learned, late.received[1] as Received));
      await vendor.admin('POST', `/v1/webhooks/${endpoint.id}/disable`, {});
    } finally {
      await late.close();
    }
  });

  it('the command line shows the secret once at creation and at rotation, and never in the list', async () => {
    const env = { KEYWARD_URL: vendor.url, KEYWARD_TOKEN: vendor.token, HOME: tmpdir() };
    const created = await keyward(
      ['admin', 'webhook', 'create', 'https://hooks.example/keyward', '--event', 'license.revoked'],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const shown = /^ {2}(whsec_\S+)$/m.exec(created.stdout)?.[1];
    assert.ok(shown !== undefined, created.stdout);
    assert.match(created.stdout, /it will not be shown again/);
    const id = /(whk_\w+)/.exec(created.stdout)?.[1] ?? assert.fail(created.stdout);

    const rotated = await keyward(['admin', 'webhook', 'rotate-secret', id], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /it will not be shown again/);
    const fresh = /^ {2}(whsec_\S+)$/m.exec(rotated.stdout)?.[1];
    assert.ok(fresh !== undefined && fresh !== shown, rotated.stdout);

    const listed = await json<{ webhooks: Array<Record<string, unknown>> }>(
      ['admin', 'webhook', 'list'],
      env,
    );
    assert.ok(listed.webhooks.some((endpoint) => endpoint.id === id));
    assert.ok(!JSON.stringify(listed).includes('whsec_'));
    const human = await keyward(['admin', 'webhook', 'list'], env);
    assert.ok(!human.stdout.includes('whsec_'));
    await json(['admin', 'webhook', 'disable', id], env);
  });

  it('a disabled endpoint receives nothing new', async () => {
    await vendor.admin('POST', `/v1/webhooks/${endpointId}/disable`, {});
    const before = receiver.received.length;
    const pc = await testComputer('hook-late', issued.sdkConfig);
    assert.ok((await pc.client.activate(issued.licenses[1]?.serial)).ok);
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(receiver.received.length, before);
  });

  it('every delivery the receiver got verified on arrival, with the secret in force then', () => {
    assert.ok(receiver.received.length > 10);
    assert.deepEqual(
      receiver.received.filter((entry) => entry.verified !== true).map((entry) => entry.body),
      [],
    );
  });
});
