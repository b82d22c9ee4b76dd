import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AccessLevel,
  scopeOfToken,
  scopePermits,
  type TokenScope,
  type TokenState,
  tokenState,
} from './api-access.js';

describe('API access by token scope', () => {
  const table: ReadonlyArray<[AccessLevel | undefined, Record<TokenScope, boolean>]> = [
    ['read', { admin: true, support: true, read: true, dealer: false }],
    ['support', { admin: true, support: true, read: false, dealer: false }],
    ['orders', { admin: true, support: false, read: false, dealer: true }],
    ['admin', { admin: true, support: false, read: false, dealer: false }],
    [undefined, { admin: false, support: false, read: false, dealer: false }],
  ];
  for (const [access, expected] of table) {
    for (const [scope, permitted] of Object.entries(expected) as [TokenScope, boolean][]) {
      it(`${scope} token, operation needing ${access ?? 'no rule'}: ${permitted ? 'permitted' : 'refused'}`, () => {
        assert.equal(scopePermits(scope, access), permitted);
      });
    }
  }

  const body = 'A'.repeat(43);
  const tokens: ReadonlyArray<[string, TokenScope | undefined]> = [
    [`kw_admin_${body}`, 'admin'],
    [`kw_read_${body}`, 'read'],
    [`kw_support_${body}`, 'support'],
    [`kw_dealer_${body}`, 'dealer'],
    [`kw_root_${body}`, undefined],
    [`kw_admin_${body}A`, undefined],
    [`kw_admin_${body.slice(1)}`, undefined],
    [`kw_admin_${body.slice(1)}=`, undefined],
    [`KW_ADMIN_${body}`, undefined],
    [` kw_admin_${body}`, undefined],
    ['', undefined],
  ];
  for (const [token, scope] of tokens) {
    it(`token ${JSON.stringify(token.slice(0, 12))}… of length ${token.length}: ${scope ?? 'not a token'}`, () => {
      assert.equal(scopeOfToken(token), scope);
    });
  }

  const now = new Date('2026-11-26T12:00:00.000Z');
  const states: ReadonlyArray<[string, string | null, string | null, TokenState]> = [
    ['no expiry', null, null, 'active'],
    ['expiring later', '2026-11-26T12:00:00.001Z', null, 'active'],
    ['expiring this instant', '2026-11-26T12:00:00.000Z', null, 'expired'],
    ['expired', '2026-11-01T00:00:00.000Z', null, 'expired'],
    ['revoked, still unexpired', '2027-01-01T00:00:00.000Z', '2026-11-20T00:00:00.000Z', 'revoked'],
    ['revoked and expired', '2026-11-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z', 'revoked'],
  ];
  for (const [what, expiresAt, revokedAt, state] of states) {
    it(`a token ${what}: ${state}`, () => {
      assert.equal(tokenState({ expiresAt, revokedAt }, now), state);
    });
  }
});
