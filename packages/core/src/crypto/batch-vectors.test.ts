import assert from 'node:assert/strict';
import { createHash, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generateKeyMaterial, keyIdOf, privateKeyFromSeed, publicKeyFromRaw } from './keys.js';
import {
  openSignedDocument,
  type SignedEnvelope,
  signDocument,
  signDocumentBatch,
} from './signed-envelope.js';

/** The batch-signing vectors of docs/batch-signing.md, made by scripts/make-batch-vectors.mjs. */
interface Vectors {
  readonly seed: string;
  readonly publicKey: string;
  readonly kid: string;
  readonly documents: readonly { readonly typ: string; readonly document: unknown }[];
  readonly leaves: readonly string[];
  readonly root: string;
  readonly rootInput: string;
  readonly sig: string;
  readonly envelopes: readonly SignedEnvelope[];
  readonly plain: SignedEnvelope;
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../../docs/batch-signing-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

// Recomputed here from the definitions in the document, without the module's helpers.
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leafOf = (typ: string, document: unknown) =>
  sha256(Buffer.from([0]), Buffer.from(`keyward/v1/${typ}\n${JSON.stringify(document)}`, 'utf8'));
const node = (left: Buffer, right: Buffer) => sha256(Buffer.from([1]), left, right);

describe('batch-signing test vectors (docs/batch-signing-vectors.json)', () => {
  const seed = Buffer.from(vectors.seed, 'hex');
  const privateKey = privateKeyFromSeed('ed25519', seed);
  const signer = { kid: keyIdOf('ed25519', vectors.publicKey), privateKey };
  const publicKey = publicKeyFromRaw('ed25519', vectors.publicKey);
  const keyFor = (kid: string) => (kid === vectors.kid ? publicKey : undefined);
  const leaves = vectors.documents.map(({ typ, document }) => leafOf(typ, document));
  const [l0, l1, l2, l3, l4] = leaves as [Buffer, Buffer, Buffer, Buffer, Buffer];

  it('the key comes from the seed', () => {
    assert.equal(generateKeyMaterial('ed25519', seed).publicKey, vectors.publicKey);
    assert.equal(signer.kid, vectors.kid);
  });

  it('leaves, root and signed root input', () => {
    assert.deepEqual(
      leaves.map((leaf) => leaf.toString('hex')),
      vectors.leaves,
    );
    // Five leaves: the left subtree holds the largest power of two below five.
    const root = node(node(node(l0, l1), node(l2, l3)), l4);
    assert.equal(root.toString('hex'), vectors.root);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(5);
    const rootInput = Buffer.concat([Buffer.from('keyward/batch/v1\n'), size, root]);
    assert.equal(rootInput.toString('hex'), vectors.rootInput);
    assert.equal(sign(null, rootInput, privateKey).toString('base64url'), vectors.sig);
  });

  it('each envelope: its audit path, the shared signature, and verification', () => {
    const b64 = (hash: Buffer) => hash.toString('base64url');
    const paths = [
      [l1, node(l2, l3), l4],
      [l0, node(l2, l3), l4],
      [l3, node(l0, l1), l4],
      [l2, node(l0, l1), l4],
      [node(node(l0, l1), node(l2, l3))],
    ];
    vectors.envelopes.forEach((envelope, index) => {
      const { typ, document } = vectors.documents[index] ?? { typ: '', document: null };
      assert.deepEqual(envelope, {
        v: 1,
        alg: 'Ed25519',
        kid: vectors.kid,
        typ,
        payload: Buffer.from(JSON.stringify(document)).toString('base64url'),
        sig: vectors.sig,
        batch: { size: 5, index, path: (paths[index] ?? []).map(b64) },
      });
      assert.deepEqual(openSignedDocument(envelope, typ, keyFor), { ok: true, value: document });
    });
    assert.deepEqual(signDocumentBatch(vectors.documents, signer), vectors.envelopes);
  });

  it('a batch of one is the plain envelope', () => {
    const [first] = vectors.documents;
    assert.ok(first);
    assert.deepEqual(signDocument(first.typ, first.document, signer), vectors.plain);
    assert.equal(vectors.plain.batch, undefined);
    assert.deepEqual(openSignedDocument(vectors.plain, first.typ, keyFor), {
      ok: true,
      value: first.document,
    });
  });
});
