import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { publicKeyFromRaw, verifyWebhook } from '@keyward/core';
import { WEBHOOK_EVENTS } from '@keyward/server';
import { testComputer } from './support/computer.js';
import { queueUpdate } from './support/updates.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';
import { webhookReceiver } from './support/webhook-receiver.js';

const ALL_EVENTS = [...WEBHOOK_EVENTS];

describe('webhooks: signed, delivered through the job runner, retried until acknowledged', () => {
  let vendor: TestVendor;
  let issued: Issued;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  let endpointId: string;

  before(async () => {
    vendor = await startTestVendor();
    receiver = await webhookReceiver();
    issued = await vendor.issue({ counters: { exports: 1 } }, 2);
    const endpoint = await vendor.admin<{ id: string }>('POST', '/v1/webhooks', {
      url: receiver.url,
      events: ALL_EVENTS,
    });
    endpointId = endpoint.id;
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

  const keyFor = (kid: string) => {
    const key = issued.sdkConfig.vendorKeys.find(
      (candidate) => candidate.kid === kid && candidate.kind === 'ed25519',
    );
    return key && publicKeyFromRaw('ed25519', key.publicKey);
  };

  it('each license event reaches the receiver, signed with the vendor key and carrying its event id', async () => {
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
      const event = JSON.parse(delivery.body) as { id: string; data: { licenseId: string } };
      assert.equal(delivery.headers['keyward-event-id'], event.id);
      assert.equal(event.data.licenseId, issued.licenses[0]?.id);
      const header = delivery.headers['keyward-signature'];
      assert.ok(
        verifyWebhook(typeof header === 'string' ? header : undefined, delivery.body, keyFor).ok,
        `${type} signature`,
      );
      const forged = verifyWebhook(
        typeof header === 'string' ? header : undefined,
        delivery.body.replace('license', 'lisence'),
        keyFor,
      );
      assert.equal(forged.ok ? 'ok' : forged.error.code, 'SIGNATURE_INVALID');
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
      .filter((entry) => entry.headers['keyward-event-id'] === delivered.headers['keyward-event-id']);
    assert.equal(attempts.length, 3);
    assert.equal(new Set(attempts.map((entry) => entry.body)).size, 1, 'the same event each time');
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

  it('a disabled endpoint receives nothing new', async () => {
    await vendor.admin('POST', `/v1/webhooks/${endpointId}/disable`, {});
    const before = receiver.received.length;
    const pc = await testComputer('hook-late', issued.sdkConfig);
    assert.ok((await pc.client.activate(issued.licenses[1]?.serial)).ok);
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(receiver.received.length, before);
  });
});
