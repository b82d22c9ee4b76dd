import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SdkConfig } from '@keyward/client';
import {
  DOCUMENT_TYPES,
  fingerprintHash,
  generateKeyMaterial,
  keyIdOf,
  type License,
  type LicenseRequest,
  newNonce,
  privateKeyFromMaterial,
  type ReceivedError,
  type Result,
  type SignedEnvelope,
  signDocument,
} from '@keyward/core';
import { LicenseSession } from '../../packages/client/dist/license-session.js';
import { type TestComputer, testComputer } from './support/computer.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

/**
 * Someone between the application and the license server answers in the server's place. The SDK
 * changes state only on a refusal the vendor signed over this very request: anything else is a
 * network failure, where the policy's grace period applies.
 */

const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);

const offline: typeof fetch = async () => {
  throw new TypeError('fetch failed: this computer is offline');
};

/** What a network failure may be called; never a refusal that freezes. */
const NETWORK_CODES = ['ANSWER_UNSIGNED', 'ANSWER_MISMATCH', 'NETWORK_UNAVAILABLE'];

interface Message {
  readonly containerKey: string;
  readonly request: SignedEnvelope;
}

const payloadOf = <T>(envelope: SignedEnvelope): T =>
  JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8')) as T;

const messageOf = (init: RequestInit | undefined): Message => JSON.parse(String(init?.body ?? '')) as Message;

function problem(status: number, code: string, refusal?: unknown): Response {
  const message = 'This serial is in use on another computer.';
  const body = {
    type: `urn:keyward:error:${code}`,
    title: message,
    status,
    code,
    message,
    requestId: 'req-forged',
    ...(refusal === undefined ? {} : { refusal }),
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

const vendorKid = (config: SdkConfig) => {
  const key = config.vendorKeys.find((candidate) => candidate.kind === 'ed25519');
  assert.ok(key);
  return key.kid;
};

interface Target {
  readonly vendor: TestVendor;
  readonly pc: TestComputer;
  readonly serial: string;
  readonly fingerprint: string;
  readonly config: SdkConfig;
}

/** A license request for `serial`, signed by the container key it names, as any container would send. */
function signedRequest(
  target: Target,
  signer: { kid: string; privateKey: ReturnType<typeof privateKeyFromMaterial> },
  facts: Pick<LicenseRequest, 'containerKey' | 'containerBoxKey' | 'fingerprintHash' | 'nonce'>,
): string {
  const document: LicenseRequest = {
    serial: target.serial,
    product: target.config.product,
    issuedAt: target.vendor.clock.now().toISOString(),
    fingerprintParts: {},
    sequence: 0,
    consumed: {},
    ...facts,
  };
  const request = signDocument(DOCUMENT_TYPES.licenseRequest, document, signer);
  return JSON.stringify({ containerKey: facts.containerKey, request });
}

async function post(target: Target, path: string, body: string) {
  const response = await fetch(`${target.vendor.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, body: (await response.json()) as { code?: string; refusal?: unknown } };
}

/** How each forgery answers the application's check in the server's place. */
const FORGERIES: ReadonlyArray<{
  readonly name: string;
  readonly prepare: (target: Target) => Promise<typeof fetch>;
}> = [
  {
    name: '409 SERIAL_BOUND_ELSEWHERE without a signed refusal',
    prepare: async () => async () => problem(409, 'SERIAL_BOUND_ELSEWHERE'),
  },
  {
    name: "a refusal over this request signed by a random key under the vendor's kid",
    prepare: async (target) => {
      const random = generateKeyMaterial('ed25519');
      const signer = { kid: vendorKid(target.config), privateKey: privateKeyFromMaterial(random) };
      return async (_input, init) => {
        const message = messageOf(init);
        const asked = payloadOf<LicenseRequest>(message.request);
        const refusal = signDocument(
          DOCUMENT_TYPES.licenseRefusal,
          {
            code: 'SERIAL_BOUND_ELSEWHERE',
            message: 'This serial is in use on another computer.',
            serial: asked.serial,
            containerKey: asked.containerKey,
            issuedAt: target.vendor.clock.now().toISOString(),
            nonce: asked.nonce,
          },
          signer,
        );
        return problem(409, 'SERIAL_BOUND_ELSEWHERE', refusal);
      };
    },
  },
  {
    name: "the vendor's genuine refusal to an earlier request of this container (another nonce), replayed",
    prepare: async (target) => {
      const session = new LicenseSession({
        config: target.config,
        home: target.pc.home,
        anchorDir: target.pc.anchorDir,
        markerDir: target.pc.markerDir,
        fingerprint: target.fingerprint,
      });
      const loaded = await session.store.load();
      assert.ok(loaded.ok);
      const { record, keys } = loaded.value;
      const earlier = await post(
        target,
        '/v1/machine/check',
        signedRequest(target, keys.signer, {
          containerKey: record.containerKey,
          containerBoxKey: record.containerBoxKey,
          fingerprintHash: fingerprintHash(target.config.product, 'a-computer-elsewhere'),
          nonce: newNonce(),
        }),
      );
      assert.equal(earlier.body.code, 'SERIAL_BOUND_ELSEWHERE');
      assert.ok(earlier.body.refusal, 'the vendor signed that refusal');
      return async () => problem(earlier.status, 'SERIAL_BOUND_ELSEWHERE', earlier.body.refusal);
    },
  },
  {
    name: "the vendor's genuine refusal over this request's nonce, obtained by another container",
    prepare: async (target) => {
      const other = generateKeyMaterial('ed25519');
      const signer = { kid: keyIdOf('ed25519', other.publicKey), privateKey: privateKeyFromMaterial(other) };
      return async (_input, init) => {
        const asked = payloadOf<LicenseRequest>(messageOf(init).request);
        const stolen = await post(
          target,
          '/v1/machine/activate',
          signedRequest(target, signer, {
            containerKey: other.publicKey,
            containerBoxKey: generateKeyMaterial('x25519').publicKey,
            fingerprintHash: fingerprintHash(target.config.product, 'the-attackers-computer'),
            nonce: asked.nonce,
          }),
        );
        assert.equal(stolen.body.code, 'SERIAL_BOUND_ELSEWHERE');
        assert.ok(stolen.body.refusal, 'the vendor signed that refusal');
        return problem(stolen.status, 'SERIAL_BOUND_ELSEWHERE', stolen.body.refusal);
      };
    },
  },
  {
    name: "the vendor's answer to this request altered in transit (product changed, signature left as it was)",
    prepare: async () => async (input, init) => {
      const message = messageOf(init);
      const altered = { ...payloadOf<LicenseRequest>(message.request), product: 'another-product' };
      const request = {
        ...message.request,
        payload: Buffer.from(JSON.stringify(altered), 'utf8').toString('base64url'),
      };
      return fetch(input, { ...init, body: JSON.stringify({ ...message, request }) });
    },
  },
];

describe('forged refusals change nothing; a signed refusal over the request freezes', () => {
  let vendor: TestVendor;

  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  let computers = 0;

  /** A computer activated on a fresh serial, its online check now due (client and server share the clock). */
  async function dueForCheck(graceDays: number): Promise<Target> {
    const issued = await vendor.issue({ checkIntervalDays: 7, graceDays, verification: 'ongoing' });
    const serial = issued.licenses[0]?.serial;
    assert.ok(serial);
    computers += 1;
    const fingerprint = `forged-${computers}`;
    const pc = await testComputer(fingerprint, issued.sdkConfig, { fingerprint, now: vendor.clock.now });
    assert.equal(codeOf(await pc.client.activate(serial)), 'ok');
    vendor.clock.advanceDays(8);
    return { vendor, pc, serial, fingerprint, config: issued.sdkConfig };
  }

  async function statusOf(target: Target) {
    const status = await target.pc.restart({ fetch: offline }).status();
    assert.ok(status.ok, codeOf(status));
    return status.value;
  }

  for (const graceDays of [3, 0]) {
    for (const forgery of FORGERIES) {
      it(`grace ${graceDays} days: ${forgery.name} -> no state change`, async () => {
        const target = await dueForCheck(graceDays);
        const forged = await forgery.prepare(target);
        const checked = await target.pc.restart({ fetch: forged }).check();
        const status = await statusOf(target);
        if (graceDays > 0) {
          assert.ok(checked.ok, `a network failure within the grace period runs: ${codeOf(checked)}`);
          assert.equal(checked.value.mode, 'grace');
          assert.equal(checked.value.online, false);
          assert.equal(status.state, 'grace');
        } else {
          assert.ok(!checked.ok, 'without a grace period a due check that got no signed answer fails');
          assert.ok(
            NETWORK_CODES.includes(checked.error.code),
            `a network-type code, got ${checked.error.code}`,
          );
          assert.equal(status.state, 'active');
        }
        assert.equal(status.lastRefusal, null, 'no refusal is recorded');
        assert.notEqual(status.license, null, "the vendor's grant is kept");
        assert.notEqual(status.contents.verification, 'frozen');

        const online = await target.pc.restart().check();
        assert.ok(online.ok, `the genuine server still licenses this computer: ${codeOf(online)}`);
        assert.equal(online.value.mode, 'licensed');
        assert.equal(online.value.online, true);
        assert.equal(online.value.status.state, 'active');
      });
    }

    it(`grace ${graceDays} days: the vendor's signed refusal over the request (license suspended) freezes`, async () => {
      const target = await dueForCheck(graceDays);
      await vendor.admin('POST', `/v1/licenses/${target.serial}/suspend`, { reason: 'x' });
      const checked = await target.pc.restart().check();
      assert.equal(codeOf(checked), 'LICENSE_SUSPENDED');
      const status = await statusOf(target);
      assert.equal(status.state, 'frozen');
      assert.equal(status.lastRefusal?.code, 'LICENSE_SUSPENDED');
      const later = await target.pc.restart({ fetch: offline }).check();
      assert.equal(codeOf(later), 'LICENSE_FROZEN', 'no grace for a frozen container');
    });
  }
});

describe('a check request altered in transit changes nothing on the server', () => {
  let vendor: TestVendor;

  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it("raising the reported counter consumption without the container's signature is refused, the vendor's record unchanged", async () => {
    const issued = await vendor.issue({ checkIntervalDays: 7, counters: { exports: 100 } });
    const serial = issued.licenses[0]?.serial ?? '';
    const pc = await testComputer('consumption', issued.sdkConfig, { fingerprint: 'consumption' });
    const sent: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      sent.push(String(init?.body ?? ''));
      return fetch(input, init);
    };
    assert.equal(codeOf(await pc.restart({ fetch: recording }).activate(serial)), 'ok');
    assert.equal(codeOf(await pc.restart().contents.decrementCounter('exports', 4)), 'ok');
    const [activation] = sent;
    assert.ok(activation);

    const message = JSON.parse(activation) as Message;
    const forged = {
      ...payloadOf<LicenseRequest>(message.request),
      nonce: newNonce(),
      issuedAt: new Date().toISOString(),
      consumed: { exports: 1_000_000 },
    };
    const request = {
      ...message.request,
      payload: Buffer.from(JSON.stringify(forged)).toString('base64url'),
    };
    const response = await fetch(`${vendor.url}/v1/machine/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...message, request }),
    });
    const answer = (await response.json()) as { code?: string; grant?: unknown };
    assert.equal(answer.grant, undefined, 'no grant for a request the container did not sign');
    assert.equal(answer.code, 'SIGNATURE_INVALID');

    const record = await vendor.admin<{ license: License }>('GET', `/v1/licenses/${serial}`);
    assert.deepEqual(record.license.consumed, {}, "the vendor's consumption record is unchanged");
    const left = await pc.restart().contents.counter('exports');
    assert.equal(left.ok && left.value, 96);

    const genuine = await pc.restart().activate(serial);
    assert.ok(genuine.ok, codeOf(genuine));
    assert.equal(genuine.value.status.contents.counters.exports, 96);
    const reported = await vendor.admin<{ license: License }>('GET', `/v1/licenses/${serial}`);
    assert.deepEqual(reported.license.consumed, { exports: 4 }, 'the container signed report is recorded');
  });
});
