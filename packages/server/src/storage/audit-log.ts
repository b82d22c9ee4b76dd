import {
  AUDIT_GENESIS,
  type AuditChainVerdict,
  type AuditEntry,
  type AuditRecord,
  auditEntryHash,
  verifyAuditChain,
} from '@keyward/core';
import type { Selectable } from 'kysely';
import type { VendorDb } from './database.js';
import type { AuditLogTable } from './schema.js';

function toEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface AuditQuery {
  /** Entries after this sequence number: the cursor of the page before. */
  readonly after?: number;
  readonly limit: number;
  readonly target?: string;
  readonly action?: string;
}

const PAGE = 1000;
/** Appends racing for one place retry; beyond this, something else is wrong. */
const MAX_APPEND_ATTEMPTS = 50;

/**
 * The append-only audit log. Each entry takes the next place after the last one and chains to its
 * hash; the unique place decides between two processes appending at once, and the loser retries.
 */
export class AuditLog {
  constructor(private readonly db: VendorDb) {}

  async append(record: AuditRecord): Promise<AuditEntry> {
    for (let attempt = 1; ; attempt++) {
      const last = await this.db
        .selectFrom('audit_log')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const seq = last === undefined ? 1 : Number(last.seq) + 1;
      const prevHash = last?.hash ?? AUDIT_GENESIS;
      const entry: AuditEntry = { ...record, seq, prevHash, hash: auditEntryHash(seq, record, prevHash) };
      const inserted = await this.db
        .insertInto('audit_log')
        .values({
          seq,
          at: entry.at,
          actor: entry.actor,
          action: entry.action,
          target: entry.target,
          outcome: entry.outcome,
          detail: JSON.stringify(entry.detail),
          prev_hash: prevHash,
          hash: entry.hash,
        })
        .onConflict((conflict) => conflict.column('seq').doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows === 1n) return entry;
      if (attempt >= MAX_APPEND_ATTEMPTS) throw new Error('the audit log stayed contended for too long');
    }
  }

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    let select = this.db.selectFrom('audit_log').selectAll().orderBy('seq').limit(query.limit);
    if (query.after !== undefined) select = select.where('seq', '>', query.after);
    if (query.target !== undefined) select = select.where('target', '=', query.target);
    if (query.action !== undefined) select = select.where('action', '=', query.action);
    return (await select.execute()).map(toEntry);
  }

  /** Reads the whole chain page by page and checks every link. */
  async verify(): Promise<AuditChainVerdict> {
    let from = { seq: 0, hash: AUDIT_GENESIS };
    let checked = 0;
    for (;;) {
      const page = await this.list({ after: from.seq, limit: PAGE });
      const verdict = verifyAuditChain(page, from);
      if (!verdict.intact) return { ...verdict, entries: checked + verdict.entries };
      checked += verdict.entries;
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE)
        return { intact: true, entries: checked, head: verdict.head };
      from = last;
    }
  }
}
