import { addDays, EXPIRY_NOTICE_DAYS, isExpiringSoon } from '@keyward/core';
import type { VendorDb } from '../storage/database.js';
import { recordLicenseEvent } from '../storage/license-events.js';
import { SCAN_EXPIRING_JOB } from '../webhooks/webhook-events.js';
import { enqueueJob, type Job } from './job-queue.js';

const SCAN_EVERY_MS = 60 * 60 * 1000;

/**
 * Queues the expiry scan of the hour `at` falls in. The job id names the hour, so every process
 * may call this at start and after each scan: there is still one scan an hour.
 */
export async function scheduleExpiryScan(db: VendorDb, at: Date): Promise<void> {
  const hour = new Date(Math.floor(at.getTime() / SCAN_EVERY_MS) * SCAN_EVERY_MS);
  await enqueueJob(db, {
    id: `job_scan_expiring_${hour.toISOString().slice(0, 13).replace(/\D/g, '')}`,
    kind: SCAN_EXPIRING_JOB,
    payload: {},
    runAt: hour.getTime() < at.getTime() ? at : hour,
    maxAttempts: 100,
  });
}

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
    await scheduleExpiryScan(db, new Date(at.getTime() + SCAN_EVERY_MS));
  };
}
