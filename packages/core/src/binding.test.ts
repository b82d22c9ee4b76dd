import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkNeedsProof,
  decideBinding,
  effectiveMaxTransfers,
  fingerprintHash,
  isExpiringSoon,
  licenseRefusal,
  nextCheckDate,
  transferRefusal,
} from './binding.js';
import type { LicenseStatus } from './licensing.js';

const now = new Date('2026-06-01T00:00:00Z');

describe('activation server decisions', () => {
  it('binds an unused serial, succeeds for the same computer, fails for another', () => {
    const computer = (hash: string, parts: Record<string, string> = {}) => ({
      fingerprintHash: hash,
      fingerprintParts: parts,
    });
    const parts = { machine: 'm', cpu: 'c', memory: 'r', network: 'n', host: 'h' };
    assert.equal(decideBinding(undefined, computer('a')), 'bind');
    assert.equal(decideBinding(computer('a'), computer('a')), 'same-computer');
    assert.equal(decideBinding(computer('a'), computer('b')), 'other-computer');
    assert.equal(
      decideBinding(computer('a', parts), computer('b', { ...parts, memory: 'r2' })),
      'same-computer',
    );
    assert.equal(
      decideBinding(computer('a', parts), computer('b', { ...parts, memory: 'r2', network: 'n2' })),
      'other-computer',
    );
  });

  const licenses: ReadonlyArray<
    [string, { status: LicenseStatus; expiresAt: string | null }, string | undefined]
  > = [
    ['active, perpetual', { status: 'active', expiresAt: null }, undefined],
    ['active, expires later', { status: 'active', expiresAt: '2027-01-01T00:00:00Z' }, undefined],
    ['expired', { status: 'active', expiresAt: '2026-05-01T00:00:00Z' }, 'LICENSE_EXPIRED'],
    [
      'suspended comes before expired',
      { status: 'suspended', expiresAt: '2026-05-01T00:00:00Z' },
      'LICENSE_SUSPENDED',
    ],
    ['revoked, perpetual', { status: 'revoked', expiresAt: null }, 'LICENSE_REVOKED'],
    [
      'revoked comes before expired',
      { status: 'revoked', expiresAt: '2026-05-01T00:00:00Z' },
      'LICENSE_REVOKED',
    ],
  ];
  for (const [what, license, code] of licenses) {
    it(`license ${what}: ${code ?? 'usable'}`, () => assert.equal(licenseRefusal(license, now)?.code, code));
  }

  const transfers: ReadonlyArray<[number, number | null, string | undefined]> = [
    [0, 1, undefined],
    [1, 1, 'TRANSFER_LIMIT_REACHED'],
    [0, 0, 'TRANSFER_LIMIT_REACHED'],
    [99, null, undefined],
  ];
  for (const [used, max, code] of transfers) {
    it(`transfer with ${used} used of ${max ?? 'unlimited'}: ${code ?? 'allowed'}`, () => {
      assert.equal(transferRefusal(used, max)?.code, code);
    });
  }

  const limits: ReadonlyArray<[number | null, number, number | null]> = [
    [3, 0, 3],
    [0, 0, 0],
    [0, 1, 1],
    [2, 5, 7],
    [null, 0, null],
    [null, 4, null],
  ];
  for (const [policyMax, extra, effective] of limits) {
    it(`transfer limit of policy ${policyMax ?? 'unlimited'} with ${extra} extra: ${effective ?? 'unlimited'}`, () => {
      assert.equal(effectiveMaxTransfers({ maxTransfers: policyMax }, { extraTransfers: extra }), effective);
    });
  }

  it('a granted transfer lifts a reached limit, once', () => {
    const limit = effectiveMaxTransfers({ maxTransfers: 0 }, { extraTransfers: 1 });
    assert.equal(transferRefusal(0, limit), undefined);
    assert.equal(transferRefusal(1, limit)?.code, 'TRANSFER_LIMIT_REACHED');
  });

  it('sets the next check by the policy interval, none when verification is off', () => {
    assert.equal(
      nextCheckDate({ verification: 'ongoing', checkIntervalDays: 3650 }, now)?.toISOString(),
      '2036-05-29T00:00:00.000Z',
    );
    assert.equal(nextCheckDate({ verification: 'off', checkIntervalDays: 3650 }, now), null);
  });

  it('hashes fingerprints per product', () => {
    assert.notEqual(fingerprintHash('cad', 'pc-a'), fingerprintHash('cam', 'pc-a'));
    assert.equal(fingerprintHash('cad', 'pc-a'), fingerprintHash('cad', 'pc-a'));
  });

  const bound = {
    fingerprintHash: 'pc-a',
    fingerprintParts: { machine: 'm', memory: 'r' } as Record<string, string>,
    containerKey: 'k',
    containerBoxKey: 'x',
  };
  const proofs: ReadonlyArray<[string, typeof bound | undefined, typeof bound, boolean]> = [
    ['unbound serial: binding it is a change', undefined, bound, true],
    ['exactly this computer and container: no change', bound, bound, false],
    ['another computer', bound, { ...bound, fingerprintHash: 'pc-b' }, true],
    ['a new container on this computer takes over', bound, { ...bound, containerKey: 'k2' }, true],
    ['a new encryption key', bound, { ...bound, containerBoxKey: 'x2' }, true],
    [
      'other fingerprint parts, the same hash',
      bound,
      { ...bound, fingerprintParts: { machine: 'm', memory: 'r2' } },
      true,
    ],
    ['a fingerprint part left out', bound, { ...bound, fingerprintParts: { machine: 'm' } }, true],
  ];
  for (const [what, current, request, needed] of proofs) {
    it(`container signature on a check, ${what}: ${needed ? 'verified' : 'not needed'}`, () => {
      assert.equal(checkNeedsProof(current, request), needed);
    });
  }

  const expiring: ReadonlyArray<[string, string | null, boolean]> = [
    ['perpetual', null, false],
    ['expired yesterday', '2026-05-31T00:00:00Z', false],
    ['expires in three days', '2026-06-04T00:00:00Z', true],
    ['expires in exactly seven days', '2026-06-08T00:00:00Z', true],
    ['expires in a month', '2026-07-01T00:00:00Z', false],
  ];
  for (const [what, expiresAt, soon] of expiring) {
    it(`a license that ${what}: ${soon ? 'announced as expiring' : 'not announced'}`, () => {
      assert.equal(isExpiringSoon(expiresAt, now), soon);
    });
  }
});
