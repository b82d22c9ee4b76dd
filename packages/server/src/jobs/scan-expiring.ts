import type { VendorDb } from '../storage/database.js';
import type { ExpiryNoticeStore } from '../storage/expiry-notices.js';
import { SCAN_EXPIRING_JOB } from '../webhooks/webhook-events.js';
import { type Job, nextHour, scheduleHourly } from './job-queue.js';

/** Queues the expiry scan of the hour `at` falls in. */
export const scheduleExpiryScan = (db: VendorDb, at: Date) =>
  scheduleHourly(db, SCAN_EXPIRING_JOB, 'job_scan_expiring', at);

/**
 * Announces licenses entering their expiry notice (`license.expiring`, once per license and
 * expiry date), then queues the next hour's scan.
 */
export function scanExpiring(notices: ExpiryNoticeStore, db: VendorDb, now: () => Date) {
  return async (_job: Job): Promise<void> => {
    const at = now();
    for (const license of await notices.due(at)) await notices.announce(license, at.toISOString());
    await scheduleExpiryScan(db, nextHour(at));
  };
}
