import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AUDIT_REASON_MAX_LENGTH,
  auditReason,
  decideStatusChange,
  MAX_EXTRA_TRANSFERS,
  transferGrantRefusal,
} from './license-admin.js';
import type { LicenseStatus } from './licensing.js';

describe("the vendor's support desk rules", () => {
  const reasons: ReadonlyArray<[string, string, string | undefined]> = [
    ['a plain sentence', 'Mainboard replaced, ticket 4711', undefined],
    ['accents and emoji', 'Ordinateur remplacé 👍', undefined],
    ['surrounding spaces are trimmed', '  RMA 12  ', undefined],
    ['empty', '', 'VALIDATION_FAILED'],
    ['only spaces', '   ', 'VALIDATION_FAILED'],
    ['a new line', 'first\nsecond', 'VALIDATION_FAILED'],
    ['a control character', 'bell\u0007', 'VALIDATION_FAILED'],
    ['an escape sequence', '\u001b[31mred', 'VALIDATION_FAILED'],
    ['a bidirectional override', 'abc\u202Edcba', 'VALIDATION_FAILED'],
    ['a line separator', 'one\u2028two', 'VALIDATION_FAILED'],
    ['a lone surrogate', 'half \ud800', 'VALIDATION_FAILED'],
    ['as long as allowed', 'x'.repeat(AUDIT_REASON_MAX_LENGTH), undefined],
    ['too long', 'x'.repeat(AUDIT_REASON_MAX_LENGTH + 1), 'VALIDATION_FAILED'],
  ];
  for (const [what, text, code] of reasons) {
    it(`reason, ${what}: ${code ?? 'kept'}`, () => {
      const reason = auditReason(text);
      assert.equal(reason.ok ? undefined : reason.error.code, code);
      if (reason.ok) assert.equal(reason.value, text.trim());
    });
  }

  const changes: ReadonlyArray<[LicenseStatus, LicenseStatus, string]> = [
    ['active', 'suspended', 'change'],
    ['suspended', 'active', 'change'],
    ['active', 'revoked', 'change'],
    ['suspended', 'revoked', 'change'],
    ['active', 'active', 'unchanged'],
    ['suspended', 'suspended', 'unchanged'],
    ['revoked', 'revoked', 'unchanged'],
    ['revoked', 'active', 'LICENSE_REVOKED'],
    ['revoked', 'suspended', 'LICENSE_REVOKED'],
  ];
  for (const [from, to, outcome] of changes) {
    it(`status ${from} -> ${to}: ${outcome}`, () => {
      const decided = decideStatusChange(from, to);
      assert.equal(decided.ok ? decided.value : decided.error.code, outcome);
    });
  }

  it('refusing to reinstate a revoked license says what to do instead', () => {
    const decided = decideStatusChange('revoked', 'active');
    assert.ok(!decided.ok && /cannot be reinstated/.test(decided.error.message));
  });

  const grants: ReadonlyArray<
    [string, { status: LicenseStatus; extraTransfers: number }, number | null, number, string | undefined]
  > = [
    ['one more on a limited policy', { status: 'active', extraTransfers: 0 }, 0, 1, undefined],
    ['more on top of earlier grants', { status: 'active', extraTransfers: 4 }, 3, 2, undefined],
    ['to a suspended license', { status: 'suspended', extraTransfers: 0 }, 3, 1, undefined],
    ['to a revoked license', { status: 'revoked', extraTransfers: 0 }, 3, 1, 'LICENSE_REVOKED'],
    ['revoked comes before the amount', { status: 'revoked', extraTransfers: 0 }, 3, 0, 'LICENSE_REVOKED'],
    ['on an unlimited policy', { status: 'active', extraTransfers: 0 }, null, 1, 'TRANSFERS_UNLIMITED'],
    ['zero', { status: 'active', extraTransfers: 0 }, 3, 0, 'VALIDATION_FAILED'],
    ['a negative number', { status: 'active', extraTransfers: 5 }, 3, -1, 'VALIDATION_FAILED'],
    ['a fraction', { status: 'active', extraTransfers: 0 }, 3, 1.5, 'VALIDATION_FAILED'],
    ['up to the most in all', { status: 'active', extraTransfers: MAX_EXTRA_TRANSFERS - 1 }, 3, 1, undefined],
    [
      'beyond the most in all',
      { status: 'active', extraTransfers: MAX_EXTRA_TRANSFERS },
      3,
      1,
      'VALIDATION_FAILED',
    ],
  ];
  for (const [what, license, policyMax, add, code] of grants) {
    it(`granting ${add} transfers, ${what}: ${code ?? 'granted'}`, () => {
      assert.equal(transferGrantRefusal(license, { maxTransfers: policyMax }, add)?.code, code);
    });
  }
});
