import type { License } from '@keyward/core';
import { integer, leaf, unwrap } from '../command-kit.js';
import { transfersText } from '../license-format.js';
import { type Connection, connect } from './admin-connection.js';

/** The vendor's support desk on a license: release its computer, grant transfers, revoke it. */

const licensePath = (ref: string | undefined, action: string) =>
  `/v1/licenses/${encodeURIComponent(ref ?? '')}/${action}`;

interface Released {
  license: License;
  released: { id: string; fingerprintHash: string; createdAt: string; lastCheckedAt: string | null };
}

const release = leaf<Connection & { reason: string }>(
  'release',
  'Release the computer a license is bound to, without counting a transfer (the computer died or its fingerprint changed); another computer may then activate it.',
  (c) =>
    c
      .argument('<license>', 'serial number or license id')
      .requiredOption('--reason <text>', 'why, kept in the history with your token'),
  async (o, out, [ref]) => {
    const path = licensePath(ref, 'release');
    const answer = unwrap(await connect(o).request<Released>('POST', path, { reason: o.reason }));
    const { license, released } = answer;
    out.result(answer, () =>
      [
        `Released ${license.serial} from computer ${released.fingerprintHash.slice(0, 16)}… (bound since ${released.createdAt}).`,
        `Another computer may now activate it; no transfer was counted (transfers used: ${license.transfersUsed}).`,
      ].join('\n'),
    );
  },
);

const grantTransfers = leaf<Connection & { add: number; reason: string }>(
  'grant-transfers',
  "Allow a license more transfers than its policy's limit.",
  (c) =>
    c
      .argument('<license>', 'serial number or license id')
      .requiredOption('--add <n>', 'how many more transfers to allow', integer('--add', 1))
      .requiredOption('--reason <text>', 'why, kept in the history with your token'),
  async (o, out, [ref]) => {
    const path = licensePath(ref, 'transfers');
    const answer = unwrap(
      await connect(o).request<{ license: License; maxTransfers: number | null }>('POST', path, {
        add: o.add,
        reason: o.reason,
      }),
    );
    const { license, maxTransfers } = answer;
    const more = o.add === 1 ? '1 more transfer' : `${o.add} more transfers`;
    out.result(
      answer,
      () => `Granted ${more} to ${license.serial}: ${transfersText(license, maxTransfers)}.`,
    );
  },
);

const revoke = leaf<Connection & { reason: string }>(
  'revoke',
  'Revoke a license for good: activations and online checks are refused (the bound computer freezes at its next online check); unlike a suspension it cannot be reinstated.',
  (c) =>
    c
      .argument('<license>', 'serial number or license id')
      .requiredOption('--reason <text>', 'why, kept in the history with your token'),
  async (o, out, [ref]) => {
    const path = licensePath(ref, 'revoke');
    const license = unwrap(await connect(o).request<License>('POST', path, { reason: o.reason }));
    out.result(
      license,
      () =>
        `Revoked ${license.serial}: activations and online checks are refused from now on; this cannot be undone.`,
    );
  },
);

export const supportDeskCommands = [release, grantTransfers, revoke];
