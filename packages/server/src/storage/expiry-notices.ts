import { addDays, EXPIRY_NOTICE_DAYS, isExpiringSoon } from '@keyward/core';
import type { VendorDb } from './database.js';
import { recordLicenseEvent } from './license-events.js';

/** A license whose expiry notice may be due. */
export interface ExpiringLicense {
  readonly id: string;
  readonly expiresAt: string;
}

/**
 * The `license.expiring` notices: one per license and expiry date, which the unique key of
 * `expiry_notices` enforces, however many scans or processes come across it.
 */
export class ExpiryNoticeStore {
  constructor(private readonly db: VendorDb) {}

  /** Active licenses entering their notice period at `at`. */
  async due(at: Date): Promise<ExpiringLicense[]> {
    const rows = await this.db
      .selectFrom('licenses')
      .select(['id', 'expires_at'])
      .where('status', '=', 'active')
      .where('expires_at', '>', at.toISOString())
      .where('expires_at', '<=', addDays(at, EXPIRY_NOTICE_DAYS).toISOString())
      .execute();
    return rows.flatMap((row) =>
      row.expires_at !== null && isExpiringSoon(row.expires_at, at)
        ? [{ id: row.id, expiresAt: row.expires_at }]
        : [],
    );
  }

  /** Records the notice and its event (and webhook) together, unless this expiry was announced. */
  async announce(license: ExpiringLicense, at: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .insertInto('expiry_notices')
        .values({ license_id: license.id, expires_at: license.expiresAt, announced_at: at })
        .onConflict((conflict) => conflict.columns(['license_id', 'expires_at']).doNothing())
        .executeTakeFirst();
      if (claimed.numInsertedOrUpdatedRows !== 1n) return false;
      await recordLicenseEvent(trx, license.id, 'expiring', { expiresAt: license.expiresAt }, at);
      return true;
    });
  }
}
