import { REQUEST_CLOCK_SKEW_MS } from '@keyward/core';
import type { VendorDb } from '../storage/database.js';
import { deleteRetained } from '../storage/retention.js';
import { type Job, nextHour, scheduleHourly } from './job-queue.js';

export const PRUNE_RETAINED_JOB = 'storage.prune-retained';
const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * A spent nonce refuses a replayed release for as long as the release itself could be accepted:
 * dated up to a day ahead of the server's clock, and accepted up to a day after that date.
 */
const NONCE_KEPT_MS = 2 * REQUEST_CLOCK_SKEW_MS + DAY_MS;

/** Queues the pruning of the hour `at` falls in. */
export const schedulePruning = (db: VendorDb, at: Date) =>
  scheduleHourly(db, PRUNE_RETAINED_JOB, 'job_prune_retained', at);

/**
 * Deletes what has served its use: jobs and webhook deliveries finished more than
 * `retentionDays` ago (the vendor's window to look into them), and release nonces no replay
 * could still be accepted with. Then queues the next hour's pruning.
 */
export function pruneRetained(db: VendorDb, retentionDays: number, now: () => Date) {
  return async (_job: Job): Promise<void> => {
    const at = now();
    await deleteRetained(db, {
      finishedBefore: new Date(at.getTime() - retentionDays * DAY_MS).toISOString(),
      spentBefore: new Date(at.getTime() - NONCE_KEPT_MS).toISOString(),
    });
    await schedulePruning(db, nextHour(at));
  };
}
