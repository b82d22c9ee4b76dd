import type { License, Policy } from '@keyward/core';
import { expiryWording } from '@keyward/core/license-container';
import { archivedMark } from './command-kit.js';

/** One line per license, as `admin license` lists them; the expiry reads as everywhere else. */
export const licenseLine = (l: License) =>
  `${l.serial}  ${l.status.padEnd(9)} ${expiryWording(l.expiresAt)}  transfers ${l.transfersUsed}  ${l.id}${archivedMark(l)}`;

/** A policy's or a license's items and counters on one line: "cad(servers 1, nodes 5); exports 100". */
export function contentsLine(items: Policy['items'], counters: Policy['counters']): string {
  const seats = Object.entries(items).map(
    ([item, kinds]) =>
      `${item}(${Object.entries(kinds)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')})`,
  );
  const uses = Object.entries(counters).map(([name, value]) => `${name} ${value}`);
  return [...seats, ...uses].join('; ') || 'no items';
}

/** "1 of 3 used (policy 2 + 1 granted)": the effective limit, and where it comes from when the vendor raised it. */
export function transfersText(
  license: Pick<License, 'transfersUsed' | 'extraTransfers'>,
  maxTransfers: number | null,
) {
  const used = `${license.transfersUsed} of ${maxTransfers ?? 'unlimited'} used`;
  if (maxTransfers === null || license.extraTransfers === 0) return used;
  return `${used} (policy ${maxTransfers - license.extraTransfers} + ${license.extraTransfers} granted)`;
}

/** The history's "by" of an admin action: the name of the admin token that did it. */
export function byText(detail: Readonly<Record<string, unknown>>): string {
  const by = detail.by;
  if (typeof by !== 'object' || by === null || !('name' in by) || typeof by.name !== 'string') return '';
  return ` (by ${by.name})`;
}

/** What computers asked, as the audit log names it, in words. */
const MACHINE_ACTIONS: Readonly<Record<string, string>> = {
  'activate.refused': 'activation refused',
  'checkLicense.refused': 'online check refused',
  'deactivate.refused': 'release by its computer refused',
  deactivate: 'released by its computer',
  'tamper.reported': 'tampering reported by its computer (its license was blocked)',
};

/** One line of a license's history: its own events, and (marked "computer") what computers asked. */
export function historyLine(entry: {
  readonly kind: 'license' | 'machine';
  readonly type: string;
  readonly createdAt: string;
  readonly detail: Readonly<Record<string, unknown>>;
}): string {
  const { detail } = entry;
  if (entry.kind === 'machine') {
    const code = typeof detail.code === 'string' ? `: ${detail.code}` : '';
    const from = typeof detail.ip === 'string' ? ` (from ${detail.ip})` : '';
    return `  ${entry.createdAt}  computer  ${MACHINE_ACTIONS[entry.type] ?? entry.type}${code}${from}`;
  }
  const reason = typeof detail.reason === 'string' ? `: ${detail.reason}` : '';
  return `  ${entry.createdAt}  license   ${entry.type}${reason}${byText(detail)}`;
}
