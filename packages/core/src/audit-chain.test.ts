import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AUDIT_GENESIS,
  type AuditEntry,
  type AuditRecord,
  auditEntryHash,
  verifyAuditChain,
} from './audit-chain.js';

function chain(records: readonly AuditRecord[]): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prevHash = AUDIT_GENESIS;
  records.forEach((record, index) => {
    const seq = index + 1;
    const hash = auditEntryHash(seq, record, prevHash);
    entries.push({ ...record, seq, prevHash, hash });
    prevHash = hash;
  });
  return entries;
}

const records: AuditRecord[] = [1, 2, 3, 4].map((n) => ({
  at: `2026-11-2${n}T10:00:00.000Z`,
  actor: 'token:tok_1 (ops)',
  action: n % 2 === 0 ? 'revokeLicense' : 'activation.refused',
  target: `lic_${n}`,
  outcome: n % 2 === 0 ? 'ok' : 'SERIAL_BOUND_ELSEWHERE',
  detail: { n },
}));

describe('the audit chain', () => {
  const entries = chain(records);
  const at = (index: number): AuditEntry => entries[index] as AuditEntry;
  const cases: ReadonlyArray<[string, AuditEntry[], number | undefined]> = [
    ['untouched', entries, undefined],
    ['empty', [], undefined],
    ['an outcome edited', entries.map((e) => (e.seq === 2 ? { ...e, outcome: 'SERIAL_UNKNOWN' } : e)), 2],
    ['a detail edited', entries.map((e) => (e.seq === 3 ? { ...e, detail: { n: 30 } } : e)), 3],
    ['an actor edited', entries.map((e) => (e.seq === 1 ? { ...e, actor: 'system' } : e)), 1],
    ['an entry removed', [at(0), at(2), at(3)], 3],
    ['two entries swapped', [at(0), at(2), at(1), at(3)], 3],
    [
      'an entry rewritten with its own hash recomputed',
      entries.map((e) =>
        e.seq === 2
          ? { ...e, outcome: 'forged', hash: auditEntryHash(2, { ...e, outcome: 'forged' }, e.prevHash) }
          : e,
      ),
      3,
    ],
  ];
  for (const [what, list, brokenAt] of cases) {
    it(`${what}: ${brokenAt === undefined ? 'intact' : `broken at ${brokenAt}`}`, () => {
      const verdict = verifyAuditChain(list);
      assert.equal(verdict.intact ? undefined : verdict.brokenAt, brokenAt);
    });
  }

  it('continues from a checkpoint: the entry before the first read', () => {
    const verdict = verifyAuditChain(entries.slice(2), { seq: 2, hash: at(1).hash });
    assert.deepEqual(verdict, { intact: true, entries: 2, head: at(3).hash });
  });
});
