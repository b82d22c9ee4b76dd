import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type DeactivationReceipt,
  fingerprintHash,
  type License,
  ok,
  type ReceivedError,
  type Result,
  type SignedEnvelope,
} from '@keyward/core';
import { LicenseSession } from '../../packages/client/dist/license-session.js';
import { testComputer } from './support/computer.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

/**
 * A man in the middle of the transfer: the deactivation reaches the server and commits, and the
 * answer never comes back. The computer that asked must never be licensed again on that serial,
 * the serial must move to the next computer, and the transfer must be counted once.
 */

const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);

const offline: typeof fetch = async () => {
  throw new TypeError('fetch failed: this computer is offline');
};

interface Forwarded {
  readonly path: string;
  readonly body: string;
  readonly status: number;
  readonly answer: string;
}

/** Forwards each request to the real server, keeps what it said, and drops the answer on the floor. */
function droppingFetch(): { fetch: typeof fetch; forwarded: Forwarded[] } {
  const forwarded: Forwarded[] = [];
  const dropping: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    forwarded.push({
      path: new URL(String(input)).pathname,
      body: String(init?.body ?? ''),
      status: response.status,
      answer: await response.text(),
    });
    throw new TypeError('fetch failed: connection reset after the server answered');
  };
  return { fetch: dropping, forwarded };
}

/** Records each request and passes the answer through. */
function passingFetch(): { fetch: typeof fetch; forwarded: Forwarded[] } {
  const forwarded: Forwarded[] = [];
  const passing: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const answer = await response.text();
    forwarded.push({
      path: new URL(String(input)).pathname,
      body: String(init?.body ?? ''),
      status: response.status,
      answer,
    });
    return new Response(answer, { status: response.status, headers: response.headers });
  };
  return { fetch: passing, forwarded };
}

const payloadOf = <T>(envelope: SignedEnvelope): T =>
  JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8')) as T;

const nonceOfRequest = (body: string) =>
  payloadOf<{ nonce: string }>((JSON.parse(body) as { request: SignedEnvelope }).request).nonce;

const receiptOf = (answer: string) =>
  payloadOf<DeactivationReceipt>((JSON.parse(answer) as { receipt: SignedEnvelope }).receipt);

interface LicenseDetails {
  readonly license: License;
  readonly binding: { readonly fingerprintHash: string } | null;
  readonly history: ReadonlyArray<{ readonly type: string }>;
}

describe('transfer with the deactivation answer lost (man in the middle)', () => {
  let vendor: TestVendor;

  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  const details = (serial: string) => vendor.admin<LicenseDetails>('GET', `/v1/licenses/${serial}`);

  it('the server committed, the answer was dropped: A stays releasing and refused, B activates, A never comes back, one transfer counted', async () => {
    const issued = await vendor.issue({ maxTransfers: 3, checkIntervalDays: 7, graceDays: 5 });
    const serial = issued.licenses[0]?.serial ?? '';
    const a = await testComputer('mitm-a', issued.sdkConfig, { fingerprint: 'mitm-a' });
    const b = await testComputer('mitm-b', issued.sdkConfig, { fingerprint: 'mitm-b' });
    assert.equal(codeOf(await a.client.activate(serial)), 'ok');

    const mitm = droppingFetch();
    const lost = await a.restart({ fetch: mitm.fetch }).deactivate();
    assert.equal(codeOf(lost), 'NETWORK_UNAVAILABLE');
    assert.equal(mitm.forwarded.length, 1);
    assert.equal(mitm.forwarded[0]?.status, 200, 'the server committed the release');
    assert.equal(receiptOf(mitm.forwarded[0]?.answer ?? '').transfersUsed, 1);

    const status = await a.restart({ fetch: offline }).status();
    assert.ok(status.ok, codeOf(status));
    assert.equal(status.value.state, 'releasing');
    assert.notEqual(status.value.verdict.kind, 'licensed');
    const offlineCheck = await a.restart({ fetch: offline }).check();
    assert.equal(codeOf(offlineCheck), 'LICENSE_FROZEN', 'a releasing computer does not run offline');
    const stillReleasing = await a.restart({ fetch: offline }).status();
    assert.equal(stillReleasing.ok && stillReleasing.value.state, 'releasing');

    const server = await details(serial);
    assert.equal(server.binding, null, 'the serial is free on the server');
    assert.equal(server.license.transfersUsed, 1);

    const onB = await b.client.activate(serial);
    assert.ok(onB.ok, codeOf(onB));
    assert.equal(onB.value.mode, 'licensed');

    // A comes back online: it finishes its release and is never licensed again.
    for (let start = 0; start < 3; start++) {
      const checked = await a.restart().check();
      assert.ok(
        !checked.ok,
        `start ${start}: A must not be licensed, got ${checked.ok ? checked.value.mode : ''}`,
      );
      const seen = await a.restart({ fetch: offline }).status();
      assert.ok(seen.ok);
      assert.equal(seen.value.state, 'frozen', `start ${start}`);
      assert.equal(seen.value.license, null, 'the released grant is gone');
      assert.notEqual(seen.value.verdict.kind, 'licensed');
    }
    const reactivated = await a.restart().activate(serial);
    assert.equal(codeOf(reactivated), 'SERIAL_BOUND_ELSEWHERE');
    const afterAll = await a.restart({ fetch: offline }).check();
    assert.ok(!afterAll.ok, 'and offline it stays refused');

    const onBStill = await b.restart().check();
    assert.ok(onBStill.ok && onBStill.value.mode === 'licensed', 'B keeps the license');
    const final = await details(serial);
    assert.equal(final.license.transfersUsed, 1, 'exactly one transfer was counted');
    assert.equal(final.history.filter((event) => event.type === 'deactivated').length, 1);
    assert.equal(final.binding?.fingerprintHash, fingerprintHash(issued.sdkConfig.product, 'mitm-b'));
  });

  it("A's retry with a fresh nonce gets the same receipt; only the identical request replayed is REQUEST_REPLAYED", async () => {
    const issued = await vendor.issue({ maxTransfers: 3 });
    const serial = issued.licenses[0]?.serial ?? '';
    const a = await testComputer('retry-a', issued.sdkConfig);
    const b = await testComputer('retry-b', issued.sdkConfig);
    assert.equal(codeOf(await a.client.activate(serial)), 'ok');

    const mitm = droppingFetch();
    assert.equal(codeOf(await a.restart({ fetch: mitm.fetch }).deactivate()), 'NETWORK_UNAVAILABLE');
    const [first] = mitm.forwarded;
    assert.ok(first);
    const firstReceipt = receiptOf(first.answer);

    const watched = passingFetch();
    const retried = await a.restart({ fetch: watched.fetch }).deactivate();
    assert.ok(retried.ok, codeOf(retried));
    assert.equal(retried.value.transfersUsed, firstReceipt.transfersUsed, 'the same receipt');
    assert.equal(retried.value.transfersUsed, 1);
    assert.equal(retried.value.status.state, 'frozen');
    assert.equal(retried.value.status.license, null);
    const [second] = watched.forwarded;
    assert.ok(second);
    assert.equal(second.status, 200);
    assert.notEqual(nonceOfRequest(second.body), nonceOfRequest(first.body), 'the retry used a fresh nonce');
    const secondReceipt = receiptOf(second.answer);
    assert.equal(secondReceipt.bindingId, firstReceipt.bindingId);
    assert.equal(secondReceipt.nonce, nonceOfRequest(second.body));

    for (const sent of [first, second]) {
      const replayed = await fetch(`${vendor.url}/v1/machine/deactivate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: sent.body,
      });
      const problem = (await replayed.json()) as { code: string };
      assert.equal(replayed.status, 409);
      assert.equal(problem.code, 'REQUEST_REPLAYED');
    }
    assert.equal((await details(serial)).license.transfersUsed, 1, 'the replays counted nothing');

    const onB = await b.client.activate(serial);
    assert.ok(onB.ok, codeOf(onB));
    const again = await a.restart().deactivate();
    assert.ok(!again.ok, 'a frozen computer has nothing left to release');
    assert.equal((await details(serial)).license.transfersUsed, 1);
    const aCheck = await a.restart().check();
    assert.equal(codeOf(aCheck), 'SERIAL_BOUND_ELSEWHERE');
  });

  it('the released grant put back by the attacker (re-signed container) is caught at the next online check: frozen, never bound again', async () => {
    const issued = await vendor.issue({ maxTransfers: 3, checkIntervalDays: 7, graceDays: 5 });
    const serial = issued.licenses[0]?.serial ?? '';
    const now = vendor.clock.now;
    const a = await testComputer('restore-a', issued.sdkConfig, { fingerprint: 'restore-a', now });
    const b = await testComputer('restore-b', issued.sdkConfig, { fingerprint: 'restore-b', now });
    assert.equal(codeOf(await a.client.activate(serial)), 'ok');
    const session = new LicenseSession({
      config: issued.sdkConfig,
      home: a.home,
      anchorDir: a.anchorDir,
      markerDir: a.markerDir,
      fingerprint: 'restore-a',
      now,
    });
    const kept = await session.store.load();
    assert.ok(kept.ok);
    const { grant, updates } = kept.value.record;
    assert.ok(grant);

    const released = await a.restart().deactivate();
    assert.ok(released.ok, codeOf(released));
    assert.equal(codeOf(await b.client.activate(serial)), 'ok');
    const putBack = await session.store.mutate((current) =>
      ok({
        next: { ...current.record, grant, updates, state: 'active' as const, lastRefusal: null },
        value: undefined,
      }),
    );
    assert.ok(putBack.ok);

    vendor.clock.advanceDays(8);
    const checked = await a.restart().check();
    assert.equal(codeOf(checked), 'SERIAL_BOUND_ELSEWHERE');
    const status = await a.restart({ fetch: offline }).status();
    assert.ok(status.ok);
    assert.equal(status.value.state, 'frozen');
    assert.notEqual(status.value.verdict.kind, 'licensed');
    assert.equal(codeOf(await a.restart({ fetch: offline }).check()), 'LICENSE_FROZEN');
    assert.equal(codeOf(await a.restart().activate(serial)), 'SERIAL_BOUND_ELSEWHERE');

    const onB = await b.restart().check();
    assert.ok(onB.ok && onB.value.mode === 'licensed', codeOf(onB));
    const server = await details(serial);
    assert.equal(server.license.transfersUsed, 1);
    assert.equal(server.binding?.fingerprintHash, fingerprintHash(issued.sdkConfig.product, 'restore-b'));
  });
});
