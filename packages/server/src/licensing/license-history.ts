import type { AuditEntry, License } from '@keyward/core';
import type { ServerContext } from '../context.js';
import type { LicenseEvent } from '../storage/license-events.js';

/**
 * One line of a license's history: `license` for what happened to the license (issued, activated,
 * updated, suspended...), `machine` for what computers asked of it that the audit log keeps
 * (refused activations and checks, releases, tamper reports).
 */
export interface HistoryEntry {
  readonly id: string;
  readonly kind: 'license' | 'machine';
  readonly type: string;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

/** More machine entries than a support desk reads about one license; the audit log keeps them all. */
const MACHINE_ENTRIES = 500;

function machineEntry(entry: AuditEntry): HistoryEntry {
  const outcome = entry.outcome === 'ok' ? {} : { code: entry.outcome };
  return {
    id: `aud_${entry.seq}`,
    kind: 'machine',
    type: entry.action,
    detail: { ...outcome, ...entry.detail },
    createdAt: entry.at,
  };
}

/** The license's own events and the audit log's machine entries about its serial, in time order. */
export async function licenseHistory(
  ctx: ServerContext,
  license: License,
  events: readonly LicenseEvent[],
): Promise<HistoryEntry[]> {
  const machine = (await ctx.audit.machineEntriesOf(license.serial, MACHINE_ENTRIES)).map(machineEntry);
  const own = events.map((event): HistoryEntry => ({ ...event, kind: 'license' }));
  // A stable sort: at one instant, the license's event comes before what a computer asked.
  return [...own, ...machine].sort((a, b) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0,
  );
}
