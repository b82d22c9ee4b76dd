import type { License } from '@keyward/core';
import { leaf, unwrap, usage } from '../command-kit.js';
import { licenseLine } from '../license-format.js';
import { type Connection, connect } from './admin-connection.js';

const licensePath = (ref: string | undefined, action = '') =>
  `/v1/licenses/${encodeURIComponent(ref ?? '')}${action}`;

const edit = leaf<Connection & { note?: string; clearNote?: boolean }>(
  'edit',
  "Change a license's note. Its terms (expiry, seats, counters) change only by an update (keyward admin update create), which its container applies.",
  (c) =>
    c
      .argument('<license>', 'serial number or license id')
      .option('--note <text>', 'free text, e.g. customer or order')
      .option('--clear-note', 'remove the note'),
  async (o, out, [ref]) => {
    if ((o.note === undefined) === (o.clearNote !== true)) usage('Give --note TEXT or --clear-note.');
    const body = { note: o.note ?? null };
    const license = unwrap(await connect(o).request<License>('PATCH', licensePath(ref), body));
    out.result(license, () => `Edited ${licenseLine(license)}\nNote: ${license.note ?? '-'}`);
  },
);

const archive = leaf<Connection & { reason?: string }>(
  'archive',
  'Archive a revoked or expired license: it is hidden from `license list` (see --archived) and takes no more updates. A license that can still be used is refused: revoke it first.',
  (c) =>
    c
      .argument('<license>', 'serial number or license id')
      .option('--reason <text>', 'why, kept in the history'),
  async (o, out, [ref]) => {
    const path = licensePath(ref, '/archive');
    const license = unwrap(await connect(o).request<License>('POST', path, { reason: o.reason }));
    out.result(license, () => `Archived ${licenseLine(license)}`);
  },
);

/** Bookkeeping on a license: its note, and archiving it once it is over. */
export const licenseEditCommands = [edit, archive];
