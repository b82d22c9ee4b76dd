import type { ContainerContents } from '@keyward/core';
import type { Selectable } from 'kysely';
import type { VendorDb } from './database.js';
import type { SitesTable } from './schema.js';

/** A site server as the vendor knows it. */
export interface Site {
  readonly id: string;
  readonly name: string;
  readonly siteKey: string;
  readonly createdAt: string;
}

function toSite(row: Selectable<SitesTable>): Site {
  return { id: row.id, name: row.name, siteKey: row.site_key, createdAt: row.created_at };
}

/** What claiming a license for a site found. */
export type SiteClaim =
  | { readonly kind: 'claimed' | 'reissued' }
  | { readonly kind: 'held'; readonly holder: Site };

/** The site servers the vendor certified, and which licenses each was issued. */
export class SiteStore {
  constructor(private readonly db: VendorDb) {}

  /** Registers unless the key is taken; returns false when it is (the unique constraint decides). */
  async register(site: Site): Promise<boolean> {
    const result = await this.db
      .insertInto('sites')
      .values({ id: site.id, name: site.name, site_key: site.siteKey, created_at: site.createdAt })
      .onConflict((conflict) => conflict.column('site_key').doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async find(id: string): Promise<Site | undefined> {
    const row = await this.db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSite(row);
  }

  async list(): Promise<Site[]> {
    return (await this.db.selectFrom('sites').selectAll().orderBy('id').execute()).map(toSite);
  }

  /** The terms a license has now: a site license carries them as the vendor records them. */
  async currentContents(
    licenseId: string,
  ): Promise<{ readonly sequence: number; readonly contents: ContainerContents } | undefined> {
    const row = await this.db
      .selectFrom('license_contents')
      .select(['sequence', 'contents'])
      .where('license_id', '=', licenseId)
      .executeTakeFirst();
    return row && { sequence: row.sequence, contents: JSON.parse(row.contents) as ContainerContents };
  }

  /**
   * Claims a license for a site: one site holds a serial (the unique license_id decides between
   * racing sites). A new claim returns 'claimed', another issue to the same site 'reissued' (its
   * sequence and date updated); a serial another site holds leaves it as it was.
   */
  async claim(siteId: string, licenseId: string, sequence: number, at: string): Promise<SiteClaim> {
    // Two rounds at most: the holder found by the conflict may give its claim up before it is read.
    for (let round = 0; round < 2; round++) {
      const inserted = await this.db
        .insertInto('site_licenses')
        .values({ site_id: siteId, license_id: licenseId, sequence, issued_at: at })
        .onConflict((conflict) => conflict.column('license_id').doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows === 1n) return { kind: 'claimed' };
      const updated = await this.db
        .updateTable('site_licenses')
        .set({ sequence, issued_at: at })
        .where('site_id', '=', siteId)
        .where('license_id', '=', licenseId)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 1n) return { kind: 'reissued' };
      const holder = await this.holderOf(licenseId);
      if (holder !== undefined) return { kind: 'held', holder };
    }
    throw new Error(`License ${licenseId} is claimed and given up over and over`);
  }

  /** Gives up a claim just made, when a computer turned out to hold the serial meanwhile. */
  async unclaim(siteId: string, licenseId: string): Promise<void> {
    await this.db
      .deleteFrom('site_licenses')
      .where('site_id', '=', siteId)
      .where('license_id', '=', licenseId)
      .execute();
  }

  /** The site server holding a license, if one does: it, not a computer, has its seats. */
  async holderOf(licenseId: string): Promise<Site | undefined> {
    const row = await this.db
      .selectFrom('site_licenses')
      .innerJoin('sites', 'sites.id', 'site_licenses.site_id')
      .selectAll('sites')
      .where('site_licenses.license_id', '=', licenseId)
      .executeTakeFirst();
    return row && toSite(row);
  }

  /** Whether the vendor ever issued this license to this site. */
  async wasIssued(siteId: string, licenseId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('site_licenses')
      .select('license_id')
      .where('site_id', '=', siteId)
      .where('license_id', '=', licenseId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Serials each site was issued. */
  async serialsOf(siteId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('site_licenses')
      .innerJoin('licenses', 'licenses.id', 'site_licenses.license_id')
      .select('licenses.serial')
      .where('site_licenses.site_id', '=', siteId)
      .orderBy('licenses.serial')
      .execute();
    return rows.map((row) => row.serial);
  }
}
