import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AccessLevel, scopeOfToken, scopePermits, type TokenScope } from './api-access.js';

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
});
