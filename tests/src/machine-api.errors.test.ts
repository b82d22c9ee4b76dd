import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DOCUMENT_TYPES,
  DOCUMENTS,
  generateKeyMaterial,
  generateSerial,
  keyIdOf,
  newNonce,
  openDocument,
  privateKeyFromMaterial,
  publicKeyFromRaw,
  signDocument,
} from '@keyward/core';
import { testComputer } from './support/computer.js';
import { recordingFetch } from './support/recording-fetch.js';
import { type Issued, machineState, startTestVendor, type TestVendor } from './support/vendor-server.js';

interface Problem {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly contentType: string | null;
  readonly refusal: unknown;
}

async function post(vendor: TestVendor, path: string, body: string): Promise<Problem> {
  const response = await fetch(`${vendor.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const payload = (await response.json()) as { code: string; message: string; refusal?: unknown };
  return {
    status: response.status,
    code: payload.code,
    message: payload.message,
    contentType: response.headers.get('content-type'),
    refusal: payload.refusal,
  };
}

/** A license request signed by a fresh container key, with any field overridden. */
function licenseRequest(
  issued: Issued,
  overrides: Record<string, unknown> = {},
  signWith?: ReturnType<typeof generateKeyMaterial>,
) {
  const container = generateKeyMaterial('ed25519');
  const signer = signWith ?? container;
  const document = {
    serial: issued.licenses[0]?.serial,
    product: issued.product.code,
    containerKey: container.publicKey,
    containerBoxKey: generateKeyMaterial('x25519').publicKey,
    fingerprintHash: 'f'.repeat(64),
    fingerprintParts: {},
    nonce: newNonce(),
    issuedAt: new Date().toISOString(),
    sequence: 0,
    consumed: {},
    ...overrides,
  };
  const request = signDocument(DOCUMENT_TYPES.licenseRequest, document, {
    kid: keyIdOf('ed25519', container.publicKey),
    privateKey: privateKeyFromMaterial(signer),
  });
  return JSON.stringify({ containerKey: container.publicKey, request });
}

/** Every refusal: a stable code, a sentence, problem+json, and the server's state unchanged. */
describe('machine API refusals change nothing', () => {
  let vendor: TestVendor;
  let issued: Issued;

  before(async () => {
    vendor = await startTestVendor();
    issued = await vendor.issue({ durationDays: 10, checkIntervalDays: 1 }, 3);
  });
  after(() => vendor.close());

  async function refused(path: string, body: string, status: number, code: string): Promise<Problem> {
    const state = await machineState(vendor);
    const problem = await post(vendor, path, body);
    assert.equal(problem.code, code, problem.message);
    assert.equal(problem.status, status);
    assert.match(problem.contentType ?? '', /^application\/problem\+json/);
    assert.ok(problem.message.length > 10, 'a sentence a person understands');
    assert.equal(await machineState(vendor), state, `${code} changed stored state`);
    return problem;
  }

  it('malformed JSON: MALFORMED_REQUEST', async () => {
    await refused('/v1/machine/activate', '{"containerKey": ', 400, 'MALFORMED_REQUEST');
  });

  it('a body missing its fields: VALIDATION_FAILED, naming what is wrong', async () => {
    const problem = await refused('/v1/machine/check', '{"containerKey": "abc"}', 400, 'VALIDATION_FAILED');
    assert.match(problem.message, /request|containerKey/);
  });

  it('a serial that was never issued: SERIAL_UNKNOWN, signed by the vendor over the nonce', async () => {
    const body = licenseRequest(issued, { serial: generateSerial() });
    const problem = await refused('/v1/machine/activate', body, 404, 'SERIAL_UNKNOWN');
    const { request } = JSON.parse(body) as { request: { payload: string } };
    const asked = JSON.parse(Buffer.from(request.payload, 'base64url').toString('utf8')) as { nonce: string };
    const vendorKeys = issued.sdkConfig.vendorKeys.filter((key) => key.kind === 'ed25519');
    const refusal = openDocument(problem.refusal, DOCUMENTS.licenseRefusal, (kid) => {
      const key = vendorKeys.find((candidate) => candidate.kid === kid);
      return key && publicKeyFromRaw('ed25519', key.publicKey);
    });
    assert.ok(refusal.ok, 'the refusal is signed by the vendor');
    assert.equal(refusal.value.code, 'SERIAL_UNKNOWN');
    assert.equal(refusal.value.nonce, asked.nonce);
  });

  it('a serial of another product: SERIAL_UNKNOWN', async () => {
    await refused(
      '/v1/machine/activate',
      licenseRequest(issued, { product: 'another-product' }),
      404,
      'SERIAL_UNKNOWN',
    );
  });

  // Small-order X25519 points: key agreement with them fails, so no update could ever be sealed to them.
  for (const [what, boxKey] of [
    ['all zeros', Buffer.alloc(32)],
    ['the point of order 1', Buffer.concat([Buffer.from([1]), Buffer.alloc(31)])],
  ] as const) {
    it(`a container box key that updates cannot be sealed to (${what}): VALIDATION_FAILED, nothing bound`, async () => {
      const body = licenseRequest(issued, { containerBoxKey: boxKey.toString('base64url') });
      const problem = await refused('/v1/machine/activate', body, 400, 'VALIDATION_FAILED');
      assert.match(problem.message, /containerBoxKey/);
    });
  }

  it('a serial with a wrong check character: SERIAL_INVALID', async () => {
    const serial = issued.licenses[0]?.serial ?? '';
    const typo = `${serial.slice(0, -1)}${serial.endsWith('0') ? '1' : '0'}`;
    await refused('/v1/machine/activate', licenseRequest(issued, { serial: typo }), 400, 'SERIAL_INVALID');
  });

  it('a request signed by another key than the container key it names: SIGNATURE_INVALID', async () => {
    await refused(
      '/v1/machine/activate',
      licenseRequest(issued, {}, generateKeyMaterial('ed25519')),
      400,
      'SIGNATURE_INVALID',
    );
  });

  it("a request naming someone else's container key inside: SIGNATURE_INVALID", async () => {
    const other = generateKeyMaterial('ed25519').publicKey;
    await refused(
      '/v1/machine/activate',
      licenseRequest(issued, { containerKey: other }),
      400,
      'SIGNATURE_INVALID',
    );
  });

  it('a request dated two days off: REQUEST_STALE', async () => {
    const issuedAt = new Date(Date.now() - 2 * 86_400_000).toISOString();
    await refused('/v1/machine/activate', licenseRequest(issued, { issuedAt }), 400, 'REQUEST_STALE');
  });

  it('a replayed deactivation: REQUEST_REPLAYED, even after the serial came back to the same computer', async () => {
    const recorder = recordingFetch();
    const pc = await testComputer('replay', issued.sdkConfig, { fetch: recorder.fetch });
    const serial = issued.licenses[1]?.serial;
    assert.ok((await pc.client.activate(serial)).ok);
    assert.ok((await pc.client.deactivate()).ok);
    const deactivation = recorder.calls.find((call) => call.path === '/v1/machine/deactivate');
    assert.ok(deactivation);
    await refused('/v1/machine/deactivate', deactivation.body, 409, 'REQUEST_REPLAYED');
    assert.ok((await pc.restart().activate(serial)).ok);
    await refused('/v1/machine/deactivate', deactivation.body, 409, 'REQUEST_REPLAYED');
  });

  it('a deactivation from a computer that does not hold the serial: NOT_BOUND_HERE', async () => {
    const holder = await testComputer('holder', issued.sdkConfig);
    const serial = issued.licenses[0]?.serial ?? '';
    assert.ok((await holder.client.activate(serial)).ok);
    const binding = (await vendor.server.context.bindings.findSerial(serial))?.binding;
    assert.ok(binding);
    const stranger = generateKeyMaterial('ed25519');
    const request = signDocument(
      DOCUMENT_TYPES.deactivationRequest,
      {
        serial,
        product: issued.product.code,
        bindingId: binding.id,
        containerKey: stranger.publicKey,
        fingerprintHash: binding.fingerprintHash,
        nonce: newNonce(),
        issuedAt: new Date().toISOString(),
        consumed: {},
      },
      { kid: keyIdOf('ed25519', stranger.publicKey), privateKey: privateKeyFromMaterial(stranger) },
    );
    await refused(
      '/v1/machine/deactivate',
      JSON.stringify({ containerKey: stranger.publicKey, request }),
      409,
      'NOT_BOUND_HERE',
    );
  });

  it('a suspended license: LICENSE_SUSPENDED; the client freezes, and a recorded valid answer cannot be replayed', async () => {
    const recorder = recordingFetch();
    const pc = await testComputer('suspended', issued.sdkConfig, { fetch: recorder.fetch });
    const serial = issued.licenses[2]?.serial ?? '';
    const activated = await pc.client.activate(serial);
    assert.ok(activated.ok);
    const validAnswer = recorder.calls.at(-1)?.answer ?? '';
    await vendor.admin('POST', `/v1/licenses/${serial}/suspend`, { reason: 'unpaid' });

    await refused('/v1/machine/check', licenseRequest(issued, { serial }), 403, 'LICENSE_SUSPENDED');

    // Two days on, the check is due; an attacker answers with the recorded "valid" grant.
    vendor.clock.advanceDays(2);
    const later = vendor.clock.now;
    const replaying: typeof fetch = async () =>
      new Response(validAnswer, { status: 200, headers: { 'content-type': 'application/json' } });
    // A grant over another nonce is no answer at all: the network failed, and the grace period runs.
    const replayed = await pc.restart({ now: later, fetch: replaying }).check();
    assert.equal(replayed.ok ? replayed.value.mode : replayed.error.code, 'grace');

    const honest = await pc.restart({ now: later, fetch }).check();
    assert.equal(honest.ok ? 'ok' : honest.error.code, 'LICENSE_SUSPENDED');
    const status = await pc.restart({ now: later }).status();
    assert.ok(status.ok && status.value.state === 'frozen');

    await vendor.admin('POST', `/v1/licenses/${serial}/reinstate`, {});
    const back = await pc.restart({ now: later, fetch }).check();
    vendor.clock.advanceDays(-2);
    assert.ok(back.ok && back.value.online, 'reinstated: the next start checks online and runs');
  });

  it('an expired license: LICENSE_EXPIRED', async () => {
    vendor.clock.advanceDays(11);
    try {
      const body = licenseRequest(issued, { issuedAt: vendor.clock.now().toISOString() });
      const problem = await refused('/v1/machine/activate', body, 403, 'LICENSE_EXPIRED');
      assert.match(problem.message, /expired on \d{4}-\d{2}-\d{2}/);
    } finally {
      vendor.clock.advanceDays(-11);
    }
  });

  it('an unknown address: NOT_FOUND as problem+json', async () => {
    const response = await fetch(`${vendor.url}/v1/nothing-here`);
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { code: string }).code, 'NOT_FOUND');
  });

  // What the HTTP framework itself refuses answers in the same contract as every refusal.
  const framework: ReadonlyArray<
    readonly [what: string, path: string, init: RequestInit, status: number, code: string]
  > = [
    ['an address that does not decode', '/v1/licenses/%E0%A4%A', {}, 400, 'MALFORMED_REQUEST'],
    ['a path part longer than any name', `/v1/licenses/${'a'.repeat(600)}`, {}, 414, 'URI_TOO_LONG'],
    [
      'a method the address does not answer',
      '/v1/machine/check',
      { method: 'DELETE' },
      405,
      'METHOD_NOT_ALLOWED',
    ],
    [
      'a body over the limit',
      '/v1/machine/check',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: `"${'a'.repeat(300_000)}"` },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
  ];
  for (const [what, path, init, status, code] of framework) {
    it(`${what}: ${status} ${code} as problem+json with a request id`, async () => {
      const state = await machineState(vendor);
      const response = await fetch(`${vendor.url}${path}`, init);
      assert.equal(response.status, status);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const problem = (await response.json()) as { code: string; message: string; requestId: string };
      assert.equal(problem.code, code);
      assert.ok(problem.message.length > 10);
      assert.match(problem.requestId, /\S/);
      if (status === 405) assert.equal(response.headers.get('allow'), 'POST');
      assert.equal(await machineState(vendor), state);
    });
  }
});
