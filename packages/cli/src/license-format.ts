import type { License } from '@keyward/core';
import { expiryText } from './key-status-format.js';

/** One line per license, as `admin license` lists them; the expiry reads as everywhere else. */
export const licenseLine = (l: License) =>
  `${l.serial}  ${l.status.padEnd(9)} ${l.expiresAt === null ? 'perpetual' : expiryText(l.expiresAt)}  transfers ${l.transfersUsed}  ${l.id}`;

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
