import assert from 'node:assert/strict';
import { createHash, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { DOCUMENT_TYPES, DOCUMENTS, openDocument } from '../documents.js';
import { grantMismatch } from '../online-answer.js';
import { fromBase64Url, toBase64Url } from './encoding.js';
import { generateKeyMaterial, keyIdOf, privateKeyFromSeed, publicKeyFromRaw } from './keys.js';
import {
  BATCH_ROOT_LABEL,
  batchLeafHash,
  batchNodeHash,
  batchRootFromPath,
  batchRootInput,
  buildBatchTree,
  MAX_BATCH_PATH,
} from './merkle-batch.js';
import {
  openSignedDocument,
  type SignedEnvelope,
  signDocument,
  signDocumentBatch,
} from './signed-envelope.js';

const vendor = generateKeyMaterial('ed25519', Buffer.alloc(32, 1));
const signer = {
  kid: keyIdOf('ed25519', vendor.publicKey),
  privateKey: privateKeyFromSeed('ed25519', Buffer.alloc(32, 1)),
};
const publicKey = publicKeyFromRaw('ed25519', vendor.publicKey);
const keyFor = (kid: string) => (kid === signer.kid ? publicKey : undefined);
const codeOf = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : result.error?.code);

const answer = (i: number) => ({
  typ: 'license-refusal',
  document: { code: 'X', nonce: `nonce-${i}`, n: i },
});
const answers = (n: number) => Array.from({ length: n }, (_, i) => answer(i));

describe('Merkle tree (RFC 9162 shape)', () => {
  const leaves = Array.from({ length: 7 }, (_, i) => createHash('sha256').update(`leaf ${i}`).digest());
  const node = batchNodeHash;

  it('splits at the largest power of two below the size', () => {
    const [a, b, c, d, e] = leaves as [Buffer, Buffer, Buffer, Buffer, Buffer];
    assert.deepEqual(buildBatchTree([a, b, c]).root, node(node(a, b), c));
    assert.deepEqual(buildBatchTree([a, b, c, d, e]).root, node(node(node(a, b), node(c, d)), e));
    assert.deepEqual(buildBatchTree([a]).root, a);
  });

  it('gives each leaf the audit path that leads back to the root, and no other', () => {
    for (let size = 1; size <= leaves.length; size++) {
      const tree = buildBatchTree(leaves.slice(0, size));
      for (let index = 0; index < size; index++) {
        const path = tree.paths[index] ?? [];
        const leaf = leaves[index] as Buffer;
        assert.deepEqual(
          batchRootFromPath(leaf, index, size, path),
          tree.root,
          `size ${size} index ${index}`,
        );
        if (size > 1) {
          assert.notDeepEqual(batchRootFromPath(leaf, (index + 1) % size, size, path), tree.root);
        }
        assert.equal(batchRootFromPath(leaf, index, size, [...path, leaf]), undefined, 'a longer path');
        if (path.length > 0) assert.equal(batchRootFromPath(leaf, index, size, path.slice(1)), undefined);
      }
    }
  });

  it('hashes leaves and nodes apart, and signs a root under a label no document input can start with', () => {
    const input = Buffer.from('keyward/v1/license-grant\n{}');
    assert.notDeepEqual(batchLeafHash(input), createHash('sha256').update(input).digest());
    const rootInput = batchRootInput(3, Buffer.alloc(32));
    assert.equal(rootInput.length, BATCH_ROOT_LABEL.length + 4 + 32);
    assert.equal(rootInput.subarray(0, 11).toString(), 'keyward/bat');
    // Every plain input (any typ) and every other vendor signature starts with keyward/v1/.
    assert.notEqual(rootInput.subarray(0, 11).toString(), 'keyward/v1/');
    assert.equal(rootInput.readUInt32BE(BATCH_ROOT_LABEL.length), 3);
  });
});

describe('batch-signed envelopes', () => {
  for (const size of [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 64, 255, 256]) {
    it(`a batch of ${size}: every answer verifies on its own`, () => {
      const signed = signDocumentBatch(answers(size), signer);
      assert.equal(signed.length, size);
      signed.forEach((envelope, index) => {
        if (size === 1) assert.equal(envelope.batch, undefined);
        else assert.deepEqual({ size: envelope.batch?.size, index: envelope.batch?.index }, { size, index });
        assert.ok((envelope.batch?.path.length ?? 0) <= Math.ceil(Math.log2(size)));
        assert.deepEqual(openSignedDocument(envelope, 'license-refusal', keyFor), {
          ok: true,
          value: answer(index).document,
        });
      });
      assert.equal(new Set(signed.map((envelope) => envelope.sig)).size, 1, 'one signature for the batch');
    });
  }

  it('a batch of one is exactly the plain format', () => {
    const [only] = signDocumentBatch([answer(0)], signer);
    assert.deepEqual(only, signDocument(answer(0).typ, answer(0).document, signer));
    assert.deepEqual(Object.keys(only ?? {}), ['v', 'alg', 'kid', 'typ', 'payload', 'sig']);
  });

  it('answers of several document types share a batch, each still bound to its type', () => {
    const signed = signDocumentBatch(
      [
        { typ: DOCUMENT_TYPES.licenseRefusal, document: { a: 1 } },
        { typ: DOCUMENT_TYPES.deactivationReceipt, document: { b: 2 } },
      ],
      signer,
    );
    assert.equal(codeOf(openSignedDocument(signed[0], DOCUMENT_TYPES.licenseRefusal, keyFor)), 'ok');
    assert.equal(codeOf(openSignedDocument(signed[1], DOCUMENT_TYPES.deactivationReceipt, keyFor)), 'ok');
    // The same payload and proof presented as another type: the leaf covers the type.
    const retyped = { ...signed[0], typ: DOCUMENT_TYPES.deactivationReceipt };
    assert.equal(
      codeOf(openSignedDocument(retyped, DOCUMENT_TYPES.deactivationReceipt, keyFor)),
      'SIGNATURE_INVALID',
    );
  });
});

type Change = (envelope: SignedEnvelope, batch: SignedEnvelope[]) => unknown;

const flip = (text: string) =>
  toBase64Url(
    Buffer.from((fromBase64Url(text) ?? Buffer.alloc(32)).map((byte, i) => (i === 0 ? byte ^ 1 : byte))),
  );
const withBatch = (envelope: SignedEnvelope, batch: Record<string, unknown>) => ({
  ...envelope,
  batch: { ...envelope.batch, ...batch },
});
const forger = { kid: signer.kid, privateKey: privateKeyFromSeed('ed25519', Buffer.alloc(32, 9)) };

const REFUSED: ReadonlyArray<[string, Change, string]> = [
  [
    'a changed payload',
    (e) => ({ ...e, payload: toBase64Url(Buffer.from('{"code":"Y"}')) }),
    'SIGNATURE_INVALID',
  ],
  [
    "another answer's payload under this proof",
    (e, all) => ({ ...e, payload: all[0]?.payload }),
    'SIGNATURE_INVALID',
  ],
  [
    'a changed path element',
    (e) => withBatch(e, { path: e.batch?.path.map((p, i) => (i === 1 ? flip(p) : p)) }),
    'SIGNATURE_INVALID',
  ],
  ['a path element dropped', (e) => withBatch(e, { path: e.batch?.path.slice(1) }), 'SIGNATURE_INVALID'],
  [
    'a path element added',
    (e) => withBatch(e, { path: [...(e.batch?.path ?? []), e.batch?.path[0]] }),
    'SIGNATURE_INVALID',
  ],
  ['a wrong index (next)', (e) => withBatch(e, { index: (e.batch?.index ?? 0) + 1 }), 'SIGNATURE_INVALID'],
  [
    'a wrong index (previous)',
    (e) => withBatch(e, { index: (e.batch?.index ?? 0) - 1 }),
    'SIGNATURE_INVALID',
  ],
  ['a wrong size (larger)', (e) => withBatch(e, { size: (e.batch?.size ?? 0) + 1 }), 'SIGNATURE_INVALID'],
  ['a wrong size (smaller)', (e) => withBatch(e, { size: (e.batch?.size ?? 0) - 1 }), 'SIGNATURE_INVALID'],
  ['a changed root signature', (e) => ({ ...e, sig: flip(e.sig) }), 'SIGNATURE_INVALID'],
  ['the proof removed (read as plain)', ({ batch: _, ...plain }) => plain, 'SIGNATURE_INVALID'],
  [
    'a root signed by another key under the vendor kid',
    (e) => signDocumentBatch(answers(5), forger)[e.batch?.index ?? 0],
    'SIGNATURE_INVALID',
  ],
  ['a batch of one', (e) => withBatch(e, { size: 1, index: 0, path: [] }), 'SIGNATURE_INVALID'],
  ['an index past the size', (e) => withBatch(e, { index: 5 }), 'SIGNATURE_INVALID'],
  ['a negative index', (e) => withBatch(e, { index: -1 }), 'SIGNATURE_INVALID'],
  ['a fractional index', (e) => withBatch(e, { index: 1.5 }), 'SIGNATURE_INVALID'],
  ['a size as text', (e) => withBatch(e, { size: '5' }), 'SIGNATURE_INVALID'],
  ['a size past the limit', (e) => withBatch(e, { size: 2 ** 16 + 1 }), 'SIGNATURE_INVALID'],
  [
    'a path too long',
    (e) => withBatch(e, { path: Array(MAX_BATCH_PATH + 1).fill(e.batch?.path[0]) }),
    'SIGNATURE_INVALID',
  ],
  [
    'a path of 10 000 hashes',
    (e) => withBatch(e, { path: Array(10_000).fill(e.batch?.path[0]) }),
    'SIGNATURE_INVALID',
  ],
  [
    'a short path element',
    (e) => withBatch(e, { path: ['AAAA', ...(e.batch?.path.slice(1) ?? [])] }),
    'SIGNATURE_INVALID',
  ],
  ['a path element not base64url', (e) => withBatch(e, { path: ['!'.repeat(43)] }), 'SIGNATURE_INVALID'],
  ['a path that is not a list', (e) => withBatch(e, { path: 'AAAA' }), 'SIGNATURE_INVALID'],
  ['an unknown batch field', (e) => withBatch(e, { depth: 3 }), 'SIGNATURE_INVALID'],
  ['a batch field of null', (e) => ({ ...e, batch: null }), 'SIGNATURE_INVALID'],
  ['a batch field that is a list', (e) => ({ ...e, batch: [] }), 'SIGNATURE_INVALID'],
  ['an unknown key id', (e) => ({ ...e, kid: 'sig-0000000000000000' }), 'UNKNOWN_KEY_ID'],
];

describe('batch-signed envelopes, refusals (a batch of 5, answer 2)', () => {
  const batch = signDocumentBatch(answers(5), signer);
  const target = batch[2] as SignedEnvelope;

  it('the untouched answer verifies', () => {
    assert.equal(codeOf(openSignedDocument(target, 'license-refusal', keyFor)), 'ok');
  });

  for (const [what, change, code] of REFUSED) {
    it(`refuses ${what} with ${code}`, () => {
      const result = openSignedDocument(change(target, batch), 'license-refusal', keyFor);
      assert.equal(codeOf(result), code);
    });
  }

  it('refuses a batch of one even when its root is really signed: one answer is sent plain', () => {
    const plain = signDocument('license-refusal', answer(2).document, signer);
    const input = Buffer.concat([
      Buffer.from('keyward/v1/license-refusal\n'),
      fromBase64Url(plain.payload) ?? Buffer.alloc(0),
    ]);
    const sig = sign(null, batchRootInput(1, batchLeafHash(input)), signer.privateKey);
    const single = { ...plain, sig: toBase64Url(sig), batch: { size: 1, index: 0, path: [] } };
    assert.equal(codeOf(openSignedDocument(single, 'license-refusal', keyFor)), 'SIGNATURE_INVALID');
  });

  it('refuses a plain envelope given a made-up proof', () => {
    const plain = signDocument('license-refusal', answer(2).document, signer);
    const dressed = { ...plain, batch: { size: 2, index: 0, path: [toBase64Url(Buffer.alloc(32))] } };
    assert.equal(codeOf(openSignedDocument(dressed, 'license-refusal', keyFor)), 'SIGNATURE_INVALID');
  });

  it('refuses every index but its own for every answer of the batch', () => {
    for (const envelope of batch) {
      for (let index = 0; index < 5; index++) {
        const moved = withBatch(envelope, { index });
        const expected = index === envelope.batch?.index ? 'ok' : 'SIGNATURE_INVALID';
        assert.equal(codeOf(openSignedDocument(moved, 'license-refusal', keyFor)), expected);
      }
    }
  });
});

describe('a batch-signed grant moved to another client', () => {
  const grant = (nonce: string) => ({
    serial: 'KW-TEST',
    product: 'app',
    bindingId: 'bnd_1',
    containerKey: 'A'.repeat(43),
    containerBoxKey: 'B'.repeat(43),
    fingerprintHash: 'c'.repeat(64),
    fingerprintParts: {},
    sequence: 0,
    contents: {
      items: {},
      expiresAt: null,
      counters: {},
      passwords: {},
      memory: {},
      verification: 'ongoing',
    },
    consumed: {},
    checkIntervalDays: 7,
    graceDays: 3,
    maxTransfers: null,
    transfersUsed: 0,
    nextCheckAt: null,
    issuedAt: '2026-01-01T00:00:00.000Z',
    nonce,
  });
  const nonces = ['nonce-of-client-a-0000', 'nonce-of-client-b-0000', 'nonce-of-client-c-0000'];
  const batch = signDocumentBatch(
    nonces.map((nonce) => ({ typ: DOCUMENT_TYPES.licenseGrant, document: grant(nonce) })),
    signer,
  );
  const expected = (nonce: string) => ({
    nonce,
    serial: 'KW-TEST',
    product: 'app',
    containerKey: 'A'.repeat(43),
    fingerprintHash: 'c'.repeat(64),
  });

  it("verifies for its own client and mismatches another client's nonce", () => {
    const forA = openDocument(batch[0], DOCUMENTS.licenseGrant, keyFor);
    assert.ok(forA.ok, 'the grant verifies');
    assert.equal(grantMismatch(forA.value, expected(nonces[0] as string)), undefined);
    assert.equal(grantMismatch(forA.value, expected(nonces[1] as string)), 'nonce');
  });

  it("refuses A's grant rewritten to B's nonce under A's proof, and under B's", () => {
    const rewritten = toBase64Url(Buffer.from(JSON.stringify(grant(nonces[1] as string))));
    const a = batch[0] as SignedEnvelope;
    const b = batch[1] as SignedEnvelope;
    assert.equal(
      codeOf(openDocument({ ...a, payload: rewritten }, DOCUMENTS.licenseGrant, keyFor)),
      'SIGNATURE_INVALID',
    );
    // B's own payload under A's proof (a swap of the two answers' proofs).
    assert.equal(
      codeOf(openDocument({ ...b, batch: a.batch }, DOCUMENTS.licenseGrant, keyFor)),
      'SIGNATURE_INVALID',
    );
  });
});
