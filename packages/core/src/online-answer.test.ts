import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorCode } from './errors.js';
import { grantMismatch, type OnlineIntent, refusalFreezes, releaseRefusalOutcome } from './online-answer.js';

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
