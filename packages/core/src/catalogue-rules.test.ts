import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideLicenseArchive, pickPolicy } from './catalogue-rules.js';
import type { License } from './licensing.js';

describe('catalogue rules', () => {
  const now = new Date('2027-04-01T12:00:00.000Z');
  const archives: ReadonlyArray<[string, Pick<License, 'status' | 'expiresAt' | 'archivedAt'>, string]> = [
    ['revoked', { status: 'revoked', expiresAt: null, archivedAt: null }, 'archive'],
    ['expired', { status: 'active', expiresAt: '2027-04-01T00:00:00.000Z', archivedAt: null }, 'archive'],
    [
      'expiring this instant',
      { status: 'active', expiresAt: now.toISOString(), archivedAt: null },
      'archive',
    ],
    [
      'suspended and expired',
      { status: 'suspended', expiresAt: '2027-01-01T00:00:00.000Z', archivedAt: null },
      'archive',
    ],
    ['active, perpetual', { status: 'active', expiresAt: null, archivedAt: null }, 'LICENSE_STILL_VALID'],
    [
      'active, expiring later',
      { status: 'active', expiresAt: '2027-04-02T00:00:00.000Z', archivedAt: null },
      'LICENSE_STILL_VALID',
    ],
    [
      'suspended, perpetual',
      { status: 'suspended', expiresAt: null, archivedAt: null },
      'LICENSE_STILL_VALID',
    ],
    [
      'archived already',
      { status: 'revoked', expiresAt: null, archivedAt: '2027-03-01T00:00:00.000Z' },
      'unchanged',
    ],
  ];
  for (const [what, license, expected] of archives) {
    it(`archiving a license, ${what}: ${expected}`, () => {
      const decided = decideLicenseArchive(license, now);
      assert.equal(decided.ok ? decided.value : decided.error.code, expected);
    });
  }

  const policies = [
    { id: 'pol_a', name: 'Standard', productId: 'prd_1' },
    { id: 'pol_b', name: 'Standard', productId: 'prd_2' },
    { id: 'pol_c', name: 'Site', productId: 'prd_1' },
    { id: 'pol_d', name: 'pol_c', productId: 'prd_2' },
  ];
  const picks: ReadonlyArray<[string, string, string]> = [
    ['an id', 'pol_b', 'pol_b'],
    ['a name of one policy', 'Site', 'pol_c'],
    ['a name of policies of two products', 'Standard', 'POLICY_AMBIGUOUS'],
    ['an id that is also a name elsewhere', 'pol_c', 'pol_c'],
    ['nothing', 'Gold', 'POLICY_NOT_FOUND'],
    ['a name in another case', 'standard', 'POLICY_NOT_FOUND'],
  ];
  for (const [what, ref, expected] of picks) {
    it(`a policy by ${what}: ${expected}`, () => {
      const candidates = policies.filter((policy) => policy.id === ref || policy.name === ref);
      const picked = pickPolicy(candidates, ref);
      assert.equal(picked.ok ? picked.value.id : picked.error.code, expected);
    });
  }

  it('an ambiguous name says which products have it', () => {
    const picked = pickPolicy(policies, 'Standard');
    assert.deepEqual(picked.ok ? undefined : picked.error.detail, { products: ['prd_1', 'prd_2'] });
  });
});
