import type { License } from '@keyward/core';

/** One line per license, as `admin license` lists them. */
export const licenseLine = (l: License) =>
  `${l.serial}  ${l.status.padEnd(9)} expires ${l.expiresAt?.slice(0, 10) ?? 'never     '}  transfers ${l.transfersUsed}  ${l.id}`;

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
