import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { fingerprintHash } from './binding.js';
import { type CompactTerms, decodeCompactTerms, encodeCompactTerms } from './compact-terms.js';
import { emptyContents } from './contents.js';
import { generateKeyMaterial } from './crypto/keys.js';
import { fingerprintPartHashes } from './fingerprint.js';
import {
  decideProvenBinding,
  decideUnlockRequest,
  installationId,
  partPrefixes,
  provisionalFacts,
} from './provisional-binding.js';
import { decodeShortCode, encodeShortCode } from './short-code.js';
import {
  encodeUnlockKey,
  encodeUnlockRequest,
  readUnlockKey,
  readUnlockRequest,
  type UnlockHolder,
} from './unlock-codes.js';

const vendor = generateKeyPairSync('ed25519');
const signer = { kid: 'sig-test', privateKey: vendor.privateKey };
const stranger = generateKeyPairSync('ed25519');
const PRODUCT = 'cad-pro';
const SERIAL = '7KQ2M-0ZX4P-AB3CD-EFGH5';
const FINGERPRINT = 'kwfp1:machine=m1;cpu=xeon;memory=16;network=aa;host=desk';

function holderOn(
  fingerprint: string,
  keys = { containerKey: key(), containerBoxKey: boxKey() },
): UnlockHolder {
  return {
    product: PRODUCT,
    serial: SERIAL,
    ...keys,
    fingerprintHash: fingerprintHash(PRODUCT, fingerprint),
    fingerprintParts: fingerprintPartHashes(PRODUCT, fingerprint),
  };
}
function key() {
  return generateKeyMaterial('ed25519').publicKey;
}
function boxKey() {
  return generateKeyMaterial('x25519').publicKey;
}

const TERMS: CompactTerms = {
  sequence: 2,
  contents: {
    ...emptyContents(),
    items: { cad: { nodes: 10, servers: 1 } },
    counters: { exports: 100 },
    expiresAt: '2027-11-26T03:14:15.926Z',
  },
  consumed: { exports: 12 },
  checkIntervalDays: 30,
  graceDays: 7,
  maxTransfers: 3,
  transfersUsed: 1,
  issuedAt: '2026-11-26T08:00:00.000Z',
};

function unlockFor(holder: UnlockHolder, terms: CompactTerms = TERMS) {
  const request = encodeUnlockRequest(holder);
  assert.ok(request.ok);
  const read = readUnlockRequest(request.value, SERIAL);
  assert.ok(read.ok);
  const unlockKey = encodeUnlockKey(PRODUCT, SERIAL, read.value, terms, signer);
  assert.ok(unlockKey.ok, unlockKey.ok ? '' : unlockKey.error.message);
  return { kind: 'unlock-code' as const, serial: SERIAL, request: request.value, unlockKey: unlockKey.value };
}

const codeOf = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : result.error?.code);

describe('compact terms', () => {
  it('come back exactly as written', () => {
    const cases: CompactTerms[] = [
      TERMS,
      { ...TERMS, maxTransfers: null, contents: { ...emptyContents('off'), expiresAt: null }, consumed: {} },
      { ...TERMS, sequence: 70_000, graceDays: 365, checkIntervalDays: 36_500 },
    ];
    for (const terms of cases) {
      const bytes = encodeCompactTerms(terms);
      assert.ok(bytes.ok);
      assert.deepEqual(decodeCompactTerms(bytes.value), terms);
    }
  });

  it('refuse what a code cannot carry: passwords, memory objects, too many bytes, instants before 2000', () => {
    const refusals: Array<[string, CompactTerms]> = [
      ['passwords', { ...TERMS, contents: { ...TERMS.contents, passwords: { admin: 'scrypt$1$1$1$a$b' } } }],
      ['memory', { ...TERMS, contents: { ...TERMS.contents, memory: { license_key: 'AAAA' } } }],
      [
        'size',
        {
          ...TERMS,
          contents: {
            ...TERMS.contents,
            items: Object.fromEntries(
              ['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((name) => [name, { seats: 1 }]),
            ),
          },
        },
      ],
      ['old date', { ...TERMS, contents: { ...TERMS.contents, expiresAt: '1999-12-31T00:00:00.000Z' } }],
    ];
    for (const [why, terms] of refusals)
      assert.equal(codeOf(encodeCompactTerms(terms)), 'UNLOCK_NEEDS_FILE', why);
  });

  it('are not read from bytes cut short or run on', () => {
    const bytes = encodeCompactTerms(TERMS);
    assert.ok(bytes.ok);
    for (let length = 0; length < bytes.value.length; length++)
      assert.equal(decodeCompactTerms(bytes.value.subarray(0, length)), undefined, `cut at ${length}`);
    assert.equal(decodeCompactTerms(Uint8Array.from([...bytes.value, 0])), undefined);
  });
});

describe('activation request codes', () => {
  it('carry the installation id and part prefixes, and name a request read out for another serial', () => {
    const holder = holderOn(FINGERPRINT);
    const code = encodeUnlockRequest(holder);
    assert.ok(code.ok);
    assert.ok(code.value.split('-').length <= 13, code.value);
    const read = readUnlockRequest(code.value, SERIAL);
    assert.ok(read.ok);
    assert.equal(read.value.installationId, installationId(holder));
    assert.deepEqual(read.value.partPrefixes, partPrefixes(holder.fingerprintParts));
    assert.equal(codeOf(readUnlockRequest(code.value, '9XW4B-0ZX4P-AB3CD-EFGH5')), 'SERIAL_INVALID');
  });

  it('refuse a fingerprint part a code cannot name', () => {
    const parts = { ...holderOn(FINGERPRINT).fingerprintParts, tpm: 'a'.repeat(32) };
    assert.equal(
      codeOf(encodeUnlockRequest({ ...holderOn(FINGERPRINT), fingerprintParts: parts })),
      'UNLOCK_NEEDS_FILE',
    );
  });
});

describe('Unlock Key codes', () => {
  it('rebuild the grant the vendor signed, bound to this container as it is now', () => {
    const holder = holderOn(FINGERPRINT);
    const held = unlockFor(holder);
    const grant = readUnlockKey(held, holder, [vendor.publicKey]);
    assert.ok(grant.ok, grant.ok ? '' : grant.error.message);
    assert.deepEqual(
      {
        contents: grant.value.contents,
        consumed: grant.value.consumed,
        sequence: grant.value.sequence,
        maxTransfers: grant.value.maxTransfers,
        transfersUsed: grant.value.transfersUsed,
        graceDays: grant.value.graceDays,
        nextCheckAt: grant.value.nextCheckAt,
        containerKey: grant.value.containerKey,
      },
      {
        contents: TERMS.contents,
        consumed: TERMS.consumed,
        sequence: 2,
        maxTransfers: 3,
        transfersUsed: 1,
        graceDays: 7,
        nextCheckAt: '2026-12-26T08:00:00.000Z',
        containerKey: holder.containerKey,
      },
    );
  });

  it('refuse each forgery and each other holder', () => {
    const holder = holderOn(FINGERPRINT);
    const held = unlockFor(holder);
    const decoded = decodeShortCode(held.unlockKey);
    assert.ok(decoded.ok);
    const flipped = Buffer.from(decoded.value);
    flipped[5] = (flipped[5] ?? 0) ^ 1;
    const byStranger = (() => {
      const request = readUnlockRequest(held.request, SERIAL);
      assert.ok(request.ok);
      const forged = encodeUnlockKey(
        PRODUCT,
        SERIAL,
        request.value,
        { ...TERMS, maxTransfers: null },
        { kid: 'x', privateKey: stranger.privateKey },
      );
      assert.ok(forged.ok);
      return forged.value;
    })();
    const oneHardwareChange = FINGERPRINT.replace('memory=16', 'memory=32');
    const twoHardwareChanges = oneHardwareChange.replace('cpu=xeon', 'cpu=epyc');
    const cases: Array<[string, Parameters<typeof readUnlockKey>[0], UnlockHolder, string]> = [
      ['as made', held, holder, 'ok'],
      ['a term edited', { ...held, unlockKey: encodeShortCode(flipped) }, holder, 'SIGNATURE_INVALID'],
      ['signed by someone else', { ...held, unlockKey: byStranger }, holder, 'SIGNATURE_INVALID'],
      ['another serial named', { ...held, serial: '9XW4B-0ZX4P-AB3CD-EFGH5' }, holder, 'SERIAL_INVALID'],
      ['the request code as the Unlock Key', { ...held, unlockKey: held.request }, holder, 'CODE_MISTYPED'],
      ['another container', held, { ...holder, containerKey: key() }, 'ANSWER_MISMATCH'],
      ['one hardware change', held, { ...holderOn(oneHardwareChange), ...pickKeys(holder) }, 'ok'],
      [
        'two hardware changes',
        held,
        { ...holderOn(twoHardwareChanges), ...pickKeys(holder) },
        'WRONG_COMPUTER',
      ],
      ['another product', held, { ...holder, product: 'cam' }, 'SIGNATURE_INVALID'],
    ];
    for (const [name, given, asHolder, expected] of cases) {
      assert.equal(codeOf(readUnlockKey(given, asHolder, [vendor.publicKey])), expected, name);
    }
  });
});

function pickKeys(holder: UnlockHolder) {
  return { containerKey: holder.containerKey, containerBoxKey: holder.containerBoxKey };
}

describe('provisional bindings', () => {
  const holder = holderOn(FINGERPRINT);
  const request = {
    product: PRODUCT,
    serial: SERIAL,
    installationId: installationId(holder),
    partPrefixes: partPrefixes(holder.fingerprintParts),
  };
  const realBinding = {
    containerKey: holder.containerKey,
    containerBoxKey: holder.containerBoxKey,
    fingerprintHash: holder.fingerprintHash,
    fingerprintParts: holder.fingerprintParts,
  };
  const provisional = provisionalFacts(request.installationId, request.partPrefixes);
  const reinstalled = { ...realBinding, containerKey: key(), containerBoxKey: boxKey() };
  const elsewhere = holderOn('kwfp1:machine=m9;cpu=arm;memory=8;network=ff;host=lab');

  it('decide a request code by the Activation Server table', () => {
    const cases: Array<[string, Parameters<typeof decideUnlockRequest>[0], string]> = [
      ['unbound', undefined, 'bind'],
      ['bound provisionally to this container', provisional, 'same-container'],
      ['bound online to this container', realBinding, 'same-container'],
      ['bound to this computer, another container', reinstalled, 'same-computer'],
      ['bound to another computer', { ...elsewhere }, 'other-computer'],
    ];
    for (const [name, current, expected] of cases)
      assert.equal(decideUnlockRequest(current, request), expected, name);
  });

  it("take the container's proven keys when they give its installation id", () => {
    const asking = { product: PRODUCT, serial: SERIAL, ...realBinding };
    const cases: Array<[string, Parameters<typeof decideProvenBinding>[1], string]> = [
      ['this container', asking, 'same-computer'],
      ['another container on this computer', { ...asking, containerKey: key() }, 'other-computer'],
      [
        'this container copied elsewhere',
        { ...asking, fingerprintParts: elsewhere.fingerprintParts },
        'other-computer',
      ],
    ];
    for (const [name, given, expected] of cases)
      assert.equal(decideProvenBinding(provisional, given), expected, name);
  });
});
