import { createHash } from 'node:crypto';

/** One entry of the audit log, without its place in the chain. */
export interface AuditRecord {
  readonly at: string;
  /** Who acted: `token:<id> (<name>)`, `machine`, or `system`. */
  readonly actor: string;
  /** What was done: an operation id of the API or a machine event such as `activation.refused`. */
  readonly action: string;
  /** What it was done to (a license id, a token id), when it names one. */
  readonly target: string | null;
  /** `ok`, or the refusal's code. */
  readonly outcome: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface AuditEntry extends AuditRecord {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** The hash the first entry chains to. */
export const AUDIT_GENESIS = '0'.repeat(64);

/**
 * The hash of an entry covers its place, its fields and the previous entry's hash, so editing,
 * removing or reordering an entry changes every hash from there on.
 */
export function auditEntryHash(seq: number, record: AuditRecord, prevHash: string): string {
  const fields = [
    seq,
    record.at,
    record.actor,
    record.action,
    record.target,
    record.outcome,
    record.detail,
    prevHash,
  ];
  return createHash('sha256')
    .update(`keyward/audit/v1\n${JSON.stringify(fields)}`)
    .digest('hex');
}

export type AuditChainVerdict =
  | { readonly intact: true; readonly entries: number; readonly head: string }
  | {
      readonly intact: false;
      readonly entries: number;
      /** The first entry that does not follow from the one before it. */
      readonly brokenAt: number;
      readonly reason: string;
    };

/**
 * Checks entries read in order of `seq`, continuing from `from` (the entry before the first, or
 * the genesis): each must follow its predecessor without a gap and hash to what it says.
 */
export function verifyAuditChain(
  entries: Iterable<AuditEntry>,
  from: { readonly seq: number; readonly hash: string } = { seq: 0, hash: AUDIT_GENESIS },
): AuditChainVerdict {
  let previous = from;
  let count = 0;
  for (const entry of entries) {
    count++;
    const broken = (reason: string): AuditChainVerdict => ({
      intact: false,
      entries: count,
      brokenAt: entry.seq,
      reason,
    });
    if (entry.seq !== previous.seq + 1)
      return broken(`entry ${previous.seq + 1} is missing: the next entry is ${entry.seq}`);
    if (entry.prevHash !== previous.hash)
      return broken(`entry ${entry.seq} does not chain to entry ${previous.seq}`);
    if (auditEntryHash(entry.seq, entry, entry.prevHash) !== entry.hash)
      return broken(`entry ${entry.seq} was changed after it was written`);
    previous = entry;
  }
  return { intact: true, entries: count, head: previous.hash };
}
