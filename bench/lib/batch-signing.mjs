import {
  DOCUMENT_TYPES,
  generateKeyMaterial,
  keyIdOf,
  privateKeyFromSeed,
  signDocument,
} from '@keyward/core';
import { AnswerSigner } from '@keyward/server';
import { perSecond } from './measure.mjs';

/** A grant-sized answer (about 600 bytes of JSON), distinct per `n` as every real answer's nonce is. */
function answer(n) {
  return {
    serial: 'KW8Q-2M4N-7P3R-XT6V',
    product: 'cad-pro',
    bindingId: 'bnd_01JDXQ2M4N7P3RXT6V',
    containerKey: 'A'.repeat(43),
    fingerprintHash: 'c'.repeat(64),
    fingerprintParts: {},
    sequence: 3,
    contents: {
      items: { main: { users: 25 } },
      expiresAt: '2027-01-01T00:00:00.000Z',
      counters: {},
      passwords: {},
      memory: {},
      verification: 'ongoing',
    },
    consumed: {},
    checkIntervalDays: 7,
    graceDays: 3,
    maxTransfers: 3,
    transfersUsed: 0,
    nextCheckAt: '2026-01-08T00:00:00.000Z',
    issuedAt: '2026-01-01T00:00:00.000Z',
    nonce: `bench-nonce-${String(n).padStart(12, '0')}`,
  };
}

/**
 * Answers signed per second in this process: one Ed25519 signature per answer (`signDocument`)
 * against the vendor server's `AnswerSigner` given `batch` answers in one event-loop turn (one
 * signature over their Merkle root, an audit path each). Returns `{ plainPerSecond,
 * batchedPerSecond, ratio }`, the ratio being batched over plain.
 */
export async function batchSigningThroughput({ batch = 64, seconds = 2 } = {}) {
  const seed = Buffer.alloc(32, 7);
  const material = generateKeyMaterial('ed25519', seed);
  const signer = {
    kid: keyIdOf('ed25519', material.publicKey),
    privateKey: privateKeyFromSeed('ed25519', seed),
  };
  const typ = DOCUMENT_TYPES.licenseGrant;
  const size = JSON.stringify(answer(0)).length;
  if (size < 550 || size > 650) throw new Error(`the benchmark answer is ${size} bytes, not about 600`);

  const plainPerSecond = await perSecond((n) => signDocument(typ, answer(n), signer), seconds);
  // A window long enough that every batch is full: the figure is the signing, not the gathering.
  const answers = new AnswerSigner(() => signer, { batching: true, maxBatch: batch, windowMs: 60_000 });
  const batchesPerSecond = await perSecond(
    (n) => Promise.all(Array.from({ length: batch }, (_, i) => answers.sign(typ, answer(n * batch + i)))),
    seconds,
  );
  const batchedPerSecond = batchesPerSecond * batch;
  return {
    plainPerSecond,
    batchedPerSecond,
    ratio: Math.round((batchedPerSecond / plainPerSecond) * 100) / 100,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await batchSigningThroughput());
}
