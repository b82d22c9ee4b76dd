import type { SignedEnvelope } from '@keyward/core';
import type { Selectable } from 'kysely';
import type { SiteDb } from './database.js';
import type { SiteLicensesTable } from './schema.js';

/**
 * Where a license on this site came from: a key file, the vendor's renewal fetched by the
 * expiration task, or a donation of a neighbour site server.
 */
export type LicenseOrigin = 'manual' | 'renewal' | 'neighbour';

const ORIGINS: readonly LicenseOrigin[] = ['manual', 'renewal', 'neighbour'];

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
  /** The renewal that replaced this key, which is removed once no child uses it. */
  readonly replacedBy: string | null;
  readonly keyFile: string | null;
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
        replaced_by: license.replacedBy,
        key_file: license.keyFile,
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

  /** Marks `serial` as replaced by its renewal: it lends no new seats and goes once no child uses it. */
  async markReplaced(serial: string, by: string): Promise<void> {
    await this.db
      .updateTable('site_licenses')
      .set({ replaced_by: by })
      .where('serial', '=', serial)
      .execute();
  }

  /** Keys a renewal replaced that are still held, because a child used them when last looked at. */
  async replaced(): Promise<HeldLicense[]> {
    const rows = await this.db
      .selectFrom('site_licenses')
      .selectAll()
      .where('replaced_by', 'is not', null)
      .orderBy('serial')
      .execute();
    return rows.map(toHeld);
  }

  async setKeyFile(serial: string, path: string): Promise<void> {
    await this.db.updateTable('site_licenses').set({ key_file: path }).where('serial', '=', serial).execute();
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

/**
 * The donation a `neighbour` row holds. A row edited to drop it is read without one: its license,
 * signed for the donor, then fails verification as this site's own (TAMPER_DETECTED).
 */
function donatedOf(row: Selectable<SiteLicensesTable>): HeldDonation | undefined {
  if (row.origin !== 'neighbour' || row.from_site_id === null || row.donation === null) return undefined;
  const { donation, certificate } = JSON.parse(row.donation) as Omit<HeldDonation, 'fromSiteId'>;
  return { fromSiteId: row.from_site_id, donation, certificate };
}

function toHeld(row: Selectable<SiteLicensesTable>): HeldLicense {
  const origin = ORIGINS.find((known) => known === row.origin);
  if (origin === undefined) throw new Error(`Unknown license origin in the site database: ${row.origin}`);
  const donated = donatedOf(row);
  return {
    serial: row.serial,
    product: row.product,
    envelope: JSON.parse(row.envelope) as SignedEnvelope,
    origin,
    addedAt: row.added_at,
    replacedBy: row.replaced_by,
    keyFile: row.key_file,
    ...(donated === undefined ? {} : { donated }),
  };
}
