// Writes the batch-signing test vectors, docs/batch-signing-vectors.json: five machine-API
// answers signed in one batch with a vendor key made from a fixed seed, with the tree's leaves,
// root, the signed root input and each envelope. Run after a format change (node
// scripts/make-batch-vectors.mjs, after npm run build); packages/core/src/crypto/batch-vectors.test.ts
// recomputes every value from the seed and the documents.
import { writeFile } from 'node:fs/promises';
import {
  batchLeafHash,
  batchRootInput,
  buildBatchTree,
  generateKeyMaterial,
  keyIdOf,
  privateKeyFromSeed,
  signDocumentBatch,
} from '@keyward/core';

const out = new URL('../docs/batch-signing-vectors.json', import.meta.url);
const seed = Buffer.alloc(32, 0x42);
const vendor = generateKeyMaterial('ed25519', seed);
const signer = { kid: keyIdOf('ed25519', vendor.publicKey), privateKey: privateKeyFromSeed('ed25519', seed) };
const at = '2026-01-01T00:00:00.000Z';
const containerKey = (byte) => Buffer.alloc(32, byte).toString('base64url');
const grant = (n, nonce) => ({
  serial: `KWTEST-000${n}`,
  product: 'vector-app',
  bindingId: `bnd_vector${n}`,
  containerKey: containerKey(n),
  containerBoxKey: containerKey(n + 16),
  fingerprintHash: `${n}`.repeat(64),
  fingerprintParts: {},
  sequence: 0,
  contents: {
    items: { main: { users: 5 } },
    expiresAt: null,
    counters: {},
    passwords: {},
    memory: {},
    verification: 'ongoing',
  },
  consumed: {},
  checkIntervalDays: 7,
  graceDays: 3,
  maxTransfers: 2,
  transfersUsed: 0,
  nextCheckAt: '2026-01-08T00:00:00.000Z',
  issuedAt: at,
  nonce,
});
const documents = [
  { typ: 'license-grant', document: grant(1, 'nonce-of-computer-1') },
  { typ: 'license-grant', document: grant(2, 'nonce-of-computer-2') },
  {
    typ: 'license-refusal',
    document: {
      code: 'SERIAL_BOUND_ELSEWHERE',
      message: 'This serial number is in use on another computer.',
      serial: 'KWTEST-0003',
      containerKey: containerKey(3),
      issuedAt: at,
      nonce: 'nonce-of-computer-3',
    },
  },
  {
    typ: 'deactivation-receipt',
    document: {
      serial: 'KWTEST-0004',
      bindingId: 'bnd_vector4',
      transfersUsed: 1,
      maxTransfers: 2,
      deactivatedAt: at,
      nonce: 'nonce-of-computer-4',
    },
  },
  { typ: 'license-grant', document: grant(5, 'nonce-of-computer-5') },
];
const inputs = documents.map(({ typ, document }) =>
  Buffer.concat([Buffer.from(`keyward/v1/${typ}\n`), Buffer.from(JSON.stringify(document))]),
);
const leaves = inputs.map(batchLeafHash);
const tree = buildBatchTree(leaves);
const envelopes = signDocumentBatch(documents, signer);
const vectors = {
  description:
    'Keyward batch-signed answers (docs/batch-signing.md). Hashes in hex; payloads, paths and signatures in base64url.',
  seed: seed.toString('hex'),
  publicKey: vendor.publicKey,
  kid: signer.kid,
  documents,
  leaves: leaves.map((leaf) => leaf.toString('hex')),
  root: tree.root.toString('hex'),
  rootInput: batchRootInput(leaves.length, tree.root).toString('hex'),
  sig: envelopes[0].sig,
  envelopes,
  plain: signDocumentBatch([documents[0]], signer)[0],
};
await writeFile(out, `${JSON.stringify(vectors, null, 2)}\n`);
console.log(`wrote ${out.pathname}`);
