import type { AuditChainVerdict, AuditEntry } from '@keyward/core';
import { Command } from 'commander';
import { integer, leaf, unwrap } from '../command-kit.js';
import { printable } from '../output.js';
import { type Connection, connect } from './admin-connection.js';

const entryLine = (e: AuditEntry) =>
  `${String(e.seq).padStart(6)}  ${e.at.slice(0, 19).replace('T', ' ')}  ${printable(e.actor)}  ${printable(e.action)}` +
  `${e.target === null ? '' : ` ${printable(e.target)}`}  ${printable(e.outcome)}`;

const list = leaf<Connection & { after?: number; limit: number; target?: string; action?: string }>(
  'list',
  'Read the audit log in order: who did what, and what machines were refused.',
  (c) =>
    c
      .option(
        '--after <seq>',
        'entries after this one (the last seq of the page before)',
        integer('--after', 0),
      )
      .option('--limit <n>', 'at most this many entries (up to 1000)', integer('--limit', 1), 100)
      .option('--target <ref>', 'only entries about this license, serial, token or order')
      .option('--action <action>', 'only this action, e.g. revokeLicense or activate.refused'),
  async (o, out) => {
    const query = new URLSearchParams({ limit: String(o.limit) });
    if (o.after !== undefined) query.set('after', String(o.after));
    if (o.target !== undefined) query.set('target', o.target);
    if (o.action !== undefined) query.set('action', o.action);
    const { entries } = unwrap(
      await connect(o).request<{ entries: AuditEntry[] }>('GET', `/v1/audit?${query.toString()}`),
    );
    out.result({ entries }, () => (entries.length === 0 ? 'No entries.' : entries.map(entryLine).join('\n')));
  },
);

const verify = leaf<Connection>(
  'verify',
  'Check the whole chain: exits 1 when an entry was edited, removed or reordered.',
  (c) => c,
  async (o, out) => {
    const verdict = unwrap(await connect(o).request<AuditChainVerdict>('GET', '/v1/audit/verify'));
    out.result(verdict, () =>
      verdict.intact
        ? `The audit log is intact: ${verdict.entries} entries. Head ${verdict.head}\n(note the head: a later verify that does not reach it means entries were cut from the end).`
        : `The audit log is BROKEN at entry ${verdict.brokenAt}: ${printable(verdict.reason)}.`,
    );
    if (!verdict.intact) process.exitCode = 1;
  },
);

export const auditCommands = new Command('audit')
  .description('The append-only audit log, chained by hash.')
  .addCommand(list)
  .addCommand(verify);
