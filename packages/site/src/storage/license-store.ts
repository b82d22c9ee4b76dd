import type { SignedEnvelope } from '@keyward/core';
import type { SiteDb } from './database.js';

/** Where a license on this site came from; automatic renewal and neighbours add the other two. */
export type LicenseOrigin = 'manual';

export interface HeldLicense {
  readonly serial: string;
  readonly product: string;
  readonly envelope: SignedEnvelope;
  readonly origin: LicenseOrigin;
  readonly addedAt: string;
}

/** The licenses the site holds, as the vendor signed them. */
export class SiteLicenseStore {
  constructor(private readonly db: SiteDb) {}

  /** Adds unless the serial is held; returns false when it is (the primary key decides). */
  async add(license: HeldLicense, expiresAt: string | null): Promise<boolean> {
    const result = await this.db
      .insertInto('site_licenses')
      .values({
        serial: license.serial,
        product: license.product,
        envelope: JSON.stringify(license.envelope),
        expires_at: expiresAt,
        origin: license.origin,
        added_at: license.addedAt,
      })
      .onConflict((conflict) => conflict.column('serial').doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async find(serial: string): Promise<HeldLicense | undefined> {
    const row = await this.db
      .selectFrom('site_licenses')
      .selectAll()
      .where('serial', '=', serial)
      .executeTakeFirst();
    return row && toHeld(row);
  }

  /** Every license, or those of one product, oldest first: seats are lent from the oldest first. */
  async list(product?: string): Promise<HeldLicense[]> {
    let query = this.db.selectFrom('site_licenses').selectAll();
    if (product !== undefined) query = query.where('product', '=', product);
    return (await query.orderBy('added_at').orderBy('serial').execute()).map(toHeld);
  }

  /** Removes a license and, with it, every lease of its seats. */
  async remove(serial: string): Promise<boolean> {
    const result = await this.db.deleteFrom('site_licenses').where('serial', '=', serial).executeTakeFirst();
    return result.numDeletedRows === 1n;
  }
}

function toHeld(row: {
  serial: string;
  product: string;
  envelope: string;
  origin: string;
  added_at: string;
}): HeldLicense {
  if (row.origin !== 'manual') throw new Error(`Unknown license origin in the site database: ${row.origin}`);
  return {
    serial: row.serial,
    product: row.product,
    envelope: JSON.parse(row.envelope) as SignedEnvelope,
    origin: row.origin,
    addedAt: row.added_at,
  };
}
