import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  generateKeyMaterial,
  keyIdOf,
  openSignedDocument,
  privateKeyFromSeed,
  publicKeyFromRaw,
} from '@keyward/core';
import { readServerConfig } from '../config.js';
import { ANSWER_BATCH_LIMIT, AnswerSigner } from './answer-signer.js';

const seed = Buffer.alloc(32, 5);
const vendor = generateKeyMaterial('ed25519', seed);
const signer = { kid: keyIdOf('ed25519', vendor.publicKey), privateKey: privateKeyFromSeed('ed25519', seed) };
const publicKey = publicKeyFromRaw('ed25519', vendor.publicKey);
const keyFor = (kid: string) => (kid === signer.kid ? publicKey : undefined);

const together = (answers: AnswerSigner, count: number) =>
  Promise.all(Array.from({ length: count }, (_, n) => answers.sign('license-refusal', { n })));

describe('AnswerSigner', () => {
  it('signs the answers of one event-loop turn together, each verifiable', async () => {
    const signed = await together(new AnswerSigner(() => signer, { batching: true, windowMs: 60_000 }), 10);
    assert.deepEqual(
      signed.map((envelope) => envelope.batch?.index),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.equal(new Set(signed.map((envelope) => envelope.sig)).size, 1);
    signed.forEach((envelope, n) => {
      assert.deepEqual(openSignedDocument(envelope, 'license-refusal', keyFor), { ok: true, value: { n } });
    });
  });

  it('signs an answer alone in its turn plain', async () => {
    const answers = new AnswerSigner(() => signer, { batching: true });
    const first = await answers.sign('license-refusal', { n: 1 });
    const second = await answers.sign('license-refusal', { n: 2 });
    assert.equal(first.batch, undefined);
    assert.equal(second.batch, undefined);
  });

  it('closes a full batch at its size bound', async () => {
    const signed = await together(
      new AnswerSigner(() => signer, { batching: true, windowMs: 60_000 }),
      ANSWER_BATCH_LIMIT + 3,
    );
    assert.deepEqual(
      [...new Set(signed.map((envelope) => envelope.batch?.size ?? 1))],
      [ANSWER_BATCH_LIMIT, 3],
    );
    assert.ok(signed.every((envelope) => openSignedDocument(envelope, 'license-refusal', keyFor).ok));
  });

  it('closes a batch open longer than its window when the next answer reaches it', async () => {
    const answers = new AnswerSigner(() => signer, { batching: true, windowMs: 1 });
    const first = answers.sign('license-refusal', { n: 0 });
    const started = performance.now();
    while (performance.now() - started < 3) {
      // A long event-loop turn: the batch stays open past its window.
    }
    const second = answers.sign('license-refusal', { n: 1 });
    const third = answers.sign('license-refusal', { n: 2 });
    const signed = await Promise.all([first, second, third]);
    assert.deepEqual(
      signed.map((envelope) => envelope.batch?.size ?? 1),
      [2, 2, 1],
    );
  });

  it('with batching off, signs every answer alone', async () => {
    const signed = await together(new AnswerSigner(() => signer, { batching: false }), 5);
    assert.ok(signed.every((envelope) => envelope.batch === undefined));
    assert.equal(new Set(signed.map((envelope) => envelope.sig)).size, 5);
  });

  it('a signer that fails fails every answer of its batch', async () => {
    const broken = new AnswerSigner(
      () => {
        throw new Error('no key');
      },
      { batching: true },
    );
    const results = await Promise.allSettled([broken.sign('a', 1), broken.sign('a', 2)]);
    assert.deepEqual(
      results.map((result) => result.status),
      ['rejected', 'rejected'],
    );
  });
});

describe('KEYWARD_BATCH_SIGNING', () => {
  const read = (env: NodeJS.ProcessEnv, flag?: string) => {
    const config = readServerConfig(
      { KEYWARD_DATA_DIR: '/tmp/keyward-config-test', ...env },
      { batchSigning: flag },
    );
    return config.ok ? config.value.batchSigning : config.error.message;
  };

  it('is on by default, off when asked, the flag first', () => {
    assert.equal(read({}), true);
    assert.equal(read({ KEYWARD_BATCH_SIGNING: 'off' }), false);
    assert.equal(read({ KEYWARD_BATCH_SIGNING: 'off' }, 'on'), true);
    assert.match(
      String(read({ KEYWARD_BATCH_SIGNING: 'maybe' })),
      /KEYWARD_BATCH_SIGNING must be "on" or "off"/,
    );
  });
});
