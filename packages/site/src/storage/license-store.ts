import type { SignedEnvelope } from '@keyward/core';
import type { SiteDb } from './database.js';

/** Where a license on this site came from; automatic renewal adds the third. */
export type LicenseOrigin = 'manual' | 'neighbour';

/** What a `neighbour` license holds beside the donor's license: the donor's signed donation and certificate. */
export interface HeldDonation {
  readonly fromSiteId: string;
  readonly donation: SignedEnvelope;
  readonly certificate: SignedEnvelope;
}

export interface HeldLicense {
  readonly serial: string;
  readonly product: string;
  readonly envelope: SignedEnvelope;
  readonly origin: LicenseOrigin;
  readonly addedAt: string;
  /** Set for a `neighbour` license: its terms are the donation's, verified with `verifyDonation`. */
  readonly donated?: HeldDonation;
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
        ...donationColumns(license.donated),
      })
      .onConflict((conflict) => conflict.column('serial').doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  /** Replaces the donation a neighbour license holds with the donor's newer one. */
  async redonate(serial: string, envelope: SignedEnvelope, donated: HeldDonation, expiresAt: string | null) {
    await this.db
      .updateTable('site_licenses')
      .set({ envelope: JSON.stringify(envelope), expires_at: expiresAt, ...donationColumns(donated) })
      .where('serial', '=', serial)
      .execute();
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

function donationColumns(donated: HeldDonation | undefined) {
  return donated === undefined
    ? { from_site_id: null, donation: null }
    : {
        from_site_id: donated.fromSiteId,
        donation: JSON.stringify({ donation: donated.donation, certificate: donated.certificate }),
      };
}

function toHeld(row: {
  serial: string;
  product: string;
  envelope: string;
  origin: string;
  added_at: string;
  from_site_id: string | null;
  donation: string | null;
}): HeldLicense {
  const held = {
    serial: row.serial,
    product: row.product,
    envelope: JSON.parse(row.envelope) as SignedEnvelope,
    addedAt: row.added_at,
  };
  if (row.origin === 'manual') return { ...held, origin: row.origin };
  if (row.origin === 'neighbour' && row.from_site_id !== null && row.donation !== null) {
    const { donation, certificate } = JSON.parse(row.donation) as Omit<HeldDonation, 'fromSiteId'>;
    return { ...held, origin: row.origin, donated: { fromSiteId: row.from_site_id, donation, certificate } };
  }
  throw new Error(`Unknown license origin in the site database: ${row.origin}`);
}
