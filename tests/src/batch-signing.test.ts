import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeArmor, type SignedEnvelope } from '@keyward/core';
import { type TestComputer, testComputer } from './support/computer.js';
import { type RecordedCall, recordingFetch } from './support/recording-fetch.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

/**
 * Batch-signed answers (docs/batch-signing.md) from a real vendor server: many computers asking
 * at once get answers that share one signature, each with its audit path; the SDK verifies them,
 * keeps them in its container and verifies them again offline at the next start.
 */

const COMPUTERS = 24;

const offline: typeof fetch = async () => {
  throw new TypeError('fetch failed: this computer is offline');
};

const grantOf = (call: RecordedCall): SignedEnvelope | undefined =>
  (JSON.parse(call.answer) as { grant?: SignedEnvelope }).grant;

interface Fleet {
  readonly vendor: TestVendor;
  readonly issued: Issued;
  readonly computers: TestComputer[];
  readonly calls: RecordedCall[];
}

async function fleet(env: NodeJS.ProcessEnv = {}): Promise<Fleet> {
  const vendor = await startTestVendor(env);
  const issued = await vendor.issue({ checkIntervalDays: 7 }, COMPUTERS);
  const recorder = recordingFetch();
  const computers = await Promise.all(
    issued.licenses.map((_, i) =>
      testComputer(`batch-${i}`, issued.sdkConfig, { fetch: recorder.fetch, now: vendor.clock.now }),
    ),
  );
  return { vendor, issued, computers, calls: recorder.calls };
}

/** Every computer activates its serial at once, then (a week on) checks at once. */
async function activateAndCheckTogether({ vendor, issued, computers }: Fleet): Promise<void> {
  const activated = await Promise.all(
    computers.map((pc, i) => pc.client.activate(issued.licenses[i]?.serial)),
  );
  for (const result of activated) assert.equal(result.ok ? 'ok' : result.error.code, 'ok');
  vendor.clock.advanceDays(8);
  const checked = await Promise.all(computers.map((pc) => pc.client.check()));
  for (const result of checked) {
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    assert.equal(result.value.online, true);
  }
}

async function storedGrant(pc: TestComputer): Promise<SignedEnvelope | null> {
  const [name] = (await readdir(pc.home)).filter((file) => file.endsWith('.kwlic'));
  assert.ok(name);
  const armored = decodeArmor(await readFile(join(pc.home, name), 'utf8'), 'LICENSE CONTAINER');
  assert.ok(armored.ok);
  const envelope = JSON.parse(Buffer.from(armored.value.body).toString('utf8')) as SignedEnvelope;
  return (
    JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8')) as {
      grant: SignedEnvelope | null;
    }
  ).grant;
}

describe('batch signing on (the default)', () => {
  let f: Fleet;
  before(async () => {
    f = await fleet();
    await activateAndCheckTogether(f);
  });
  after(() => f.vendor.close());

  it('answers of the same moment share one signature, each with its own proof', () => {
    const grants = f.calls.map(grantOf).filter((grant) => grant !== undefined);
    assert.equal(grants.length, 2 * COMPUTERS);
    const batched = grants.filter((grant) => (grant.batch?.size ?? 1) > 1);
    assert.ok(batched.length > 0, 'at least one answer was signed in a batch of two or more');
    for (const grant of batched) {
      const sharing = batched.filter((other) => other.sig === grant.sig);
      assert.equal(sharing.length, grant.batch?.size, 'every answer of the batch carries the same signature');
      assert.ok((grant.batch?.path.length ?? 0) <= 8);
    }
    // A batch of one is plain: no batch field at all.
    for (const grant of grants.filter((candidate) => candidate.batch === undefined)) {
      assert.deepEqual(Object.keys(grant), ['v', 'alg', 'kid', 'typ', 'payload', 'sig']);
    }
  });

  it('the SDK keeps the batch-signed grant it adopted, proof included', async () => {
    const stored = await Promise.all(f.computers.map(storedGrant));
    const lastAnswers = f.calls.slice(-COMPUTERS).map(grantOf);
    assert.ok(
      stored.some((grant) => (grant?.batch?.size ?? 1) > 1),
      'a stored grant is batch-signed',
    );
    for (const grant of stored) {
      assert.ok(grant);
      assert.ok(
        lastAnswers.some((answer) => JSON.stringify(answer) === JSON.stringify(grant)),
        'stored exactly as answered',
      );
    }
  });

  it('the next start verifies the stored grants offline', async () => {
    const starts = await Promise.all(f.computers.map((pc) => pc.restart({ fetch: offline }).check()));
    for (const start of starts) {
      assert.ok(start.ok, start.ok ? '' : start.error.message);
      assert.deepEqual(
        { mode: start.value.mode, online: start.value.online },
        { mode: 'licensed', online: false },
      );
    }
  });

  it("another computer's batch-signed grant is not adopted", async () => {
    const batched = f.calls.map(grantOf).find((grant) => (grant?.batch?.size ?? 1) > 1);
    assert.ok(batched);
    const thief = f.computers[0];
    assert.ok(thief);
    f.vendor.clock.advanceDays(8);
    // Whatever the thief's own request, the answer is someone's batch-signed grant.
    const replay: typeof fetch = async () =>
      new Response(JSON.stringify({ grant: batched }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    const result = await thief.restart({ fetch: replay }).check();
    // The nonce does not match: a network failure, the grace period applies; the grant is not adopted.
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    assert.equal(result.value.mode, 'grace');
    const stored = await storedGrant(thief);
    assert.notEqual(stored?.payload, batched.payload);
  });
});

describe('batch signing off (KEYWARD_BATCH_SIGNING=off)', () => {
  let f: Fleet;
  before(async () => {
    f = await fleet({ KEYWARD_BATCH_SIGNING: 'off' });
    await activateAndCheckTogether(f);
  });
  after(() => f.vendor.close());

  it('every answer is signed alone, in the plain format', () => {
    const grants = f.calls.map(grantOf).filter((grant) => grant !== undefined);
    assert.equal(grants.length, 2 * COMPUTERS);
    for (const grant of grants)
      assert.deepEqual(Object.keys(grant), ['v', 'alg', 'kid', 'typ', 'payload', 'sig']);
    assert.equal(new Set(grants.map((grant) => grant.sig)).size, grants.length);
  });

  it('the next start verifies the stored grants offline', async () => {
    const starts = await Promise.all(f.computers.map((pc) => pc.restart({ fetch: offline }).check()));
    for (const start of starts) assert.equal(start.ok && start.value.online, false);
  });
});

describe('batch-signed deactivation receipts and refusals', () => {
  let f: Fleet;
  before(async () => {
    f = await fleet();
  });
  after(() => f.vendor.close());

  const answersAt = (path: string, field: 'receipt' | 'refusal', from: number) =>
    f.calls
      .slice(from)
      .filter((call) => call.path === path)
      .map((call) => (JSON.parse(call.answer) as Record<string, SignedEnvelope | undefined>)[field]);

  it('receipts of the same moment share a signature, and each computer takes its own', async () => {
    const activated = await Promise.all(
      f.computers.map((pc, i) => pc.client.activate(f.issued.licenses[i]?.serial)),
    );
    assert.ok(activated.every((result) => result.ok));
    const from = f.calls.length;
    const released = await Promise.all(f.computers.map((pc) => pc.client.deactivate()));
    for (const result of released) assert.ok(result.ok, result.ok ? '' : result.error.message);
    const receipts = answersAt('/v1/machine/deactivate', 'receipt', from);
    assert.equal(receipts.length, COMPUTERS);
    assert.ok(
      receipts.some((receipt) => (receipt?.batch?.size ?? 1) > 1),
      'at least one receipt in a batch',
    );
  });

  it('signed refusals of the same moment share a signature, and each computer acts on its own', async () => {
    const activated = await Promise.all(
      f.computers.map((pc, i) => pc.client.activate(f.issued.licenses[i]?.serial)),
    );
    assert.ok(activated.every((result) => result.ok));
    for (const license of f.issued.licenses)
      await f.vendor.admin('POST', `/v1/licenses/${license.id}/suspend`, {});
    f.vendor.clock.advanceDays(8);
    const from = f.calls.length;
    const checked = await Promise.all(f.computers.map((pc) => pc.client.check()));
    // Only a refusal the SDK verified as signed over its own request stops it; any other is grace.
    for (const result of checked) assert.equal(result.ok ? 'ok' : result.error.code, 'LICENSE_SUSPENDED');
    const refusals = answersAt('/v1/machine/check', 'refusal', from);
    assert.equal(refusals.length, COMPUTERS);
    assert.ok(
      refusals.some((refusal) => (refusal?.batch?.size ?? 1) > 1),
      'at least one refusal in a batch',
    );
  });
});
