import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyMaterial, keyIdOf, privateKeyFromMaterial, publicKeyFromRaw } from './crypto/keys.js';
import { signDocument } from './crypto/signed-envelope.js';
import { DOCUMENT_TYPES } from './documents.js';
import type { ErrorCode } from './errors.js';
import {
  grantMismatch,
  type OnlineIntent,
  refusalFreezes,
  releaseRefusalOutcome,
  verifyRefusal,
} from './online-answer.js';
import type { VendorKeys } from './terms.js';

describe('what an online refusal does to the container', () => {
  const rows: ReadonlyArray<[ErrorCode, OnlineIntent, boolean]> = [
    ['SERIAL_BOUND_ELSEWHERE', 'activate', true],
    ['SERIAL_BOUND_ELSEWHERE', 'check', true],
    ['SERIAL_HELD_BY_SITE', 'activate', false],
    ['SERIAL_HELD_BY_SITE', 'check', true],
    ['LICENSE_SUSPENDED', 'check', true],
    ['LICENSE_SUSPENDED', 'activate', false],
    ['LICENSE_REVOKED', 'check', true],
    ['LICENSE_REVOKED', 'activate', false],
    ['LICENSE_EXPIRED', 'check', true],
    ['SERIAL_UNKNOWN', 'check', true],
    ['SERIAL_UNKNOWN', 'activate', false],
    ['SERIAL_INVALID', 'activate', false],
    ['NETWORK_UNAVAILABLE', 'check', false],
    ['REQUEST_STALE', 'check', false],
  ];
  for (const [code, intent, freezes] of rows) {
    it(`${code} on ${intent}: ${freezes ? 'freezes' : 'changes nothing'}`, () =>
      assert.equal(refusalFreezes(code, intent), freezes));
  }

  it('names the first fact of a grant that answers another request', () => {
    const expected = { nonce: 'n', serial: 's', product: 'p', containerKey: 'k', fingerprintHash: 'f' };
    assert.equal(grantMismatch(expected, expected), undefined);
    assert.equal(grantMismatch({ ...expected, nonce: 'old' }, expected), 'nonce');
    assert.equal(grantMismatch({ ...expected, fingerprintHash: 'x' }, expected), 'fingerprintHash');
  });
});

describe('what a signed refusal of a release leaves on the computer', () => {
  const rows: ReadonlyArray<[ErrorCode, string]> = [
    ['TRANSFER_LIMIT_REACHED', 'still-licensed'],
    ['NOT_BOUND_HERE', 'binding-gone'],
    ['LICENSE_SUSPENDED', 'frozen'],
    ['LICENSE_REVOKED', 'frozen'],
  ];
  for (const [code, outcome] of rows) {
    it(`${code}: ${outcome}`, () => assert.equal(releaseRefusalOutcome(code), outcome));
  }
});

describe('a signed refusal is acted on only for the code it signs', () => {
  const vendor = generateKeyMaterial('ed25519');
  const kid = keyIdOf('ed25519', vendor.publicKey);
  const vendorKey = publicKeyFromRaw('ed25519', vendor.publicKey);
  const keys: VendorKeys = {
    byKid: (candidate) => (candidate === kid ? vendorKey : undefined),
    all: vendorKey === undefined ? [] : [vendorKey],
  };
  const container = generateKeyMaterial('ed25519').publicKey;
  const expected = { nonce: 'n'.repeat(22), serial: 'ABCDE-FGHJK-LMNPQ-RSTUV', containerKey: container };
  const refusalOf = (code: string) =>
    signDocument(
      DOCUMENT_TYPES.licenseRefusal,
      { code, message: 'Refused.', ...expected, issuedAt: '2026-03-01T12:00:00.000Z' },
      { kid, privateKey: privateKeyFromMaterial(vendor) },
    );
  const codeOf = (result: ReturnType<typeof verifyRefusal>) =>
    result.ok ? result.value.code : result.error.code;

  it('the code the answer came with is the code signed: it holds', () =>
    assert.equal(
      codeOf(verifyRefusal(refusalOf('LICENSE_SUSPENDED'), keys, { ...expected, code: 'LICENSE_SUSPENDED' })),
      'LICENSE_SUSPENDED',
    ));

  it('a code changed on the way (to one that freezes) is ANSWER_MISMATCH', () =>
    assert.equal(
      codeOf(
        verifyRefusal(refusalOf('REQUEST_STALE'), keys, { ...expected, code: 'SERIAL_BOUND_ELSEWHERE' }),
      ),
      'ANSWER_MISMATCH',
    ));

  it('a code this build does not know holds, and freezes nothing', () => {
    assert.equal(
      codeOf(verifyRefusal(refusalOf('LICENSE_ON_MARS'), keys, { ...expected, code: 'LICENSE_ON_MARS' })),
      'LICENSE_ON_MARS',
    );
    assert.equal(refusalFreezes('LICENSE_ON_MARS', 'check'), false);
    assert.equal(releaseRefusalOutcome('LICENSE_ON_MARS'), 'frozen');
  });
});
