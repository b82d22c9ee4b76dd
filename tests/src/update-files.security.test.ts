import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  contentsHash,
  emptyContents,
  encodeArmor,
  generateKeyMaterial,
  keyIdOf,
  newNonce,
  privateKeyFromMaterial,
  REQUEST_FILE_LABEL,
  type ReceivedError,
  type Result,
  sealBytes,
  signDocument,
  UPDATE_DOCUMENT_TYPES,
  UPDATE_FILE_LABEL,
  type UpdatePackage,
  type UpdateRequest,
} from '@keyward/core';
import { type TestComputer, testComputer } from './support/computer.js';
import { CRASH_STAGES } from './support/crash-stages.js';
import { queueUpdate, updateFromRequest } from './support/updates.js';
import { type Issued, machineState, startTestVendor, type TestVendor } from './support/vendor-server.js';

const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);

/** Every single byte of the text changed, one at a time (whitespace at the very ends aside). */
function* flips(text: string): Generator<string> {
  for (let index = 0; index < text.length; index++) {
    const flipped =
      text.slice(0, index) + String.fromCharCode(text.charCodeAt(index) ^ 0x01) + text.slice(index + 1);
    if (flipped.trim() !== text.trim()) yield flipped;
  }
}

describe('update files: corruption, forgery, crashes', () => {
  let vendor: TestVendor;
  let issued: Issued;
  let pc: TestComputer;
  let serial: string;

  before(async () => {
    vendor = await startTestVendor();
    issued = await vendor.issue({ items: { cad: { servers: 1 } }, counters: { exports: 1 } }, 2);
    serial = issued.licenses[0]?.serial ?? '';
    pc = await testComputer('files', issued.sdkConfig);
    assert.ok((await pc.client.activate(serial)).ok);
  });
  after(() => vendor.close());

  it('every flipped byte of a request file: FILE_CORRUPTED at the vendor, nothing issued', async () => {
    const request = await pc.restart().updates.createRequest();
    assert.ok(request.ok);
    const state = await machineState(vendor);
    const codes = new Set<string>();
    for (const flipped of flips(request.value)) {
      const { body } = await updateFromRequest(vendor, flipped, [
        { op: 'set-counter', name: 'exports', value: 9 },
      ]);
      codes.add(String(body.code));
    }
    assert.deepEqual([...codes], ['FILE_CORRUPTED']);
    assert.equal(await machineState(vendor), state);
  });

  it('every flipped byte of an update file: FILE_CORRUPTED on the key, nothing changed', async () => {
    const update = await queueUpdate(vendor, serial, [
      { op: 'set-seats', item: 'cad', kind: 'servers', count: 5 },
    ]);
    const before = await pc.restart().status();
    const codes = new Set<string>();
    const client = pc.restart();
    for (const flipped of flips(update.file)) codes.add(codeOf(await client.updates.apply(flipped)));
    assert.deepEqual([...codes], ['FILE_CORRUPTED']);
    assert.deepEqual(await pc.restart().status(), before);
    assert.ok((await pc.restart().updates.apply(update.file)).ok, 'the intact file still applies');
  });

  async function forgedPackage(signingSeed: Uint8Array, claimVendorKid: boolean): Promise<string> {
    const binding = (await vendor.server.context.bindings.findSerial(serial))?.binding;
    const status = await pc.restart().status();
    assert.ok(binding && status.ok);
    const forger = generateKeyMaterial('ed25519', signingSeed);
    const kid = claimVendorKid
      ? vendor.server.context.keyring.signer.kid
      : keyIdOf('ed25519', forger.publicKey);
    const pkg: UpdatePackage = {
      packageId: 'upd_forged',
      serial,
      product: issued.product.code,
      containerKey: binding.containerKey,
      fromSequence: status.value.sequence,
      toSequence: status.value.sequence + 1,
      operations: [{ op: 'set-seats', item: 'cad', kind: 'servers', count: 999 }],
      contents: emptyContents(),
      resultHash: contentsHash(emptyContents()),
      orderRef: null,
      issuedAt: new Date().toISOString(),
    };
    const signed = signDocument(UPDATE_DOCUMENT_TYPES.updatePackage, pkg, {
      kid,
      privateKey: privateKeyFromMaterial(forger),
    });
    const sealed = sealBytes(Buffer.from(JSON.stringify(signed)), {
      kid: keyIdOf('x25519', binding.containerBoxKey),
      publicKey: binding.containerBoxKey,
    });
    return encodeArmor({
      label: UPDATE_FILE_LABEL,
      headers: { Serial: serial },
      body: Buffer.from(JSON.stringify(sealed)),
    });
  }

  it('a package signed by another key: SIGNATURE_INVALID, whether it claims the vendor key id or its own', async () => {
    const before = await pc.restart().status();
    assert.equal(
      codeOf(await pc.restart().updates.apply(await forgedPackage(Buffer.alloc(32, 7), true))),
      'SIGNATURE_INVALID',
    );
    assert.equal(
      codeOf(await pc.restart().updates.apply(await forgedPackage(Buffer.alloc(32, 8), false))),
      'SIGNATURE_INVALID',
    );
    assert.deepEqual(await pc.restart().status(), before);
  });

  /** A request file made by hand: any container key, sealed to any vendor key. */
  function handmadeRequest(containerSeed: Uint8Array, vendorBox: { kid: string; publicKey: string }): string {
    const container = generateKeyMaterial('ed25519', containerSeed);
    const request: UpdateRequest = {
      serial,
      product: issued.product.code,
      containerKey: container.publicKey,
      containerBoxKey: generateKeyMaterial('x25519').publicKey,
      fingerprintHash: 'f'.repeat(64),
      sequence: 0,
      contents: emptyContents(),
      nonce: newNonce(),
      issuedAt: new Date().toISOString(),
    };
    const signer = {
      kid: keyIdOf('ed25519', container.publicKey),
      privateKey: privateKeyFromMaterial(container),
    };
    const signed = signDocument(UPDATE_DOCUMENT_TYPES.updateRequest, request, signer);
    const sealed = sealBytes(Buffer.from(JSON.stringify(signed)), vendorBox);
    return encodeArmor({
      label: REQUEST_FILE_LABEL,
      headers: { Serial: serial },
      body: Buffer.from(JSON.stringify(sealed)),
    });
  }

  it('a request from a container the serial is not activated on: NOT_BOUND_HERE; one sealed to another vendor: WRONG_KEY', async () => {
    const state = await machineState(vendor);
    const vendorBox = issued.sdkConfig.vendorKeys.find((key) => key.kind === 'x25519');
    assert.ok(vendorBox);
    const notBound = await updateFromRequest(vendor, handmadeRequest(Buffer.alloc(32, 3), vendorBox), [
      { op: 'set-counter', name: 'exports', value: 1 },
    ]);
    assert.equal(notBound.body.code, 'NOT_BOUND_HERE');
    const otherVendor = generateKeyMaterial('x25519');
    const elsewhere = await updateFromRequest(
      vendor,
      handmadeRequest(Buffer.alloc(32, 4), {
        kid: keyIdOf('x25519', otherVendor.publicKey),
        publicKey: otherVendor.publicKey,
      }),
      [{ op: 'set-counter', name: 'exports', value: 1 }],
    );
    assert.equal(elsewhere.body.code, 'WRONG_KEY');
    assert.equal(await machineState(vendor), state);
  });

  for (const [stage, survivor] of CRASH_STAGES) {
    it(`a crash during apply at "${stage}" leaves the ${survivor} contents and an agreeing anchor`, async () => {
      const update = await queueUpdate(vendor, serial, [
        { op: 'add-seats', item: 'cad', kind: 'servers', count: 1 },
      ]);
      const before = await pc.restart().status();
      assert.ok(before.ok);
      const crashing = pc.restart({
        interrupt: (reached) => {
          if (reached === stage) throw new Error(`simulated crash at ${stage}`);
        },
      });
      await assert.rejects(crashing.updates.apply(update.file), /simulated crash/);
      const after = await pc.restart().status();
      assert.ok(after.ok);
      assert.equal(after.value.state, 'active', 'no false tamper');
      const servers = before.value.contents.items.cad?.servers ?? 0;
      assert.equal(after.value.contents.items.cad?.servers, survivor === 'new' ? servers + 1 : servers);
      assert.equal(
        after.value.sequence,
        survivor === 'new' ? before.value.sequence + 1 : before.value.sequence,
      );
      const again = await pc.restart().updates.apply(update.file);
      assert.equal(codeOf(again), survivor === 'new' ? 'ALREADY_APPLIED' : 'ok');
    });
  }
});
