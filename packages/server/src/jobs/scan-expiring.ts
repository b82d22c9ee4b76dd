import { addDays, EXPIRY_NOTICE_DAYS, isExpiringSoon } from '@keyward/core';
import type { VendorDb } from '../storage/database.js';
import { recordLicenseEvent } from '../storage/license-events.js';
import { SCAN_EXPIRING_JOB } from '../webhooks/webhook-events.js';
import { type Job, nextHour, scheduleHourly } from './job-queue.js';

/** Queues the expiry scan of the hour `at` falls in. */
export const scheduleExpiryScan = (db: VendorDb, at: Date) =>
  scheduleHourly(db, SCAN_EXPIRING_JOB, 'job_scan_expiring', at);

/**
 * Announces licenses entering their expiry notice (`license.expiring`, once per license and
 * expiry date), then queues the next hour's scan.
 */
export function scanExpiring(db: VendorDb, now: () => Date) {
  return async (_job: Job): Promise<void> => {
    const at = now();
    const due = await db
      .selectFrom('licenses')
      .select(['id', 'expires_at'])
      .where('status', '=', 'active')
      .where('expires_at', '>', at.toISOString())
      .where('expires_at', '<=', addDays(at, EXPIRY_NOTICE_DAYS).toISOString())
      .execute();
    for (const license of due) {
      if (!isExpiringSoon(license.expires_at, at)) continue;
      const detail = { expiresAt: license.expires_at };
      await db.transaction().execute(async (trx) => {
        const announced = await trx
          .selectFrom('license_events')
          .select('id')
          .where('license_id', '=', license.id)
          .where('type', '=', 'expiring')
          .where('detail', '=', JSON.stringify(detail))
          .executeTakeFirst();
        if (announced === undefined)
          await recordLicenseEvent(trx, license.id, 'expiring', detail, at.toISOString());
      });
    }
    await scheduleExpiryScan(db, nextHour(at));
  };
}
