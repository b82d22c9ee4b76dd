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

  /** Records that a site holds a license (the latest issue wins), for the fleet view. */
  async recordIssue(siteId: string, licenseId: string, sequence: number, at: string): Promise<void> {
    await this.db
      .insertInto('site_licenses')
      .values({ site_id: siteId, license_id: licenseId, sequence, issued_at: at })
      .onConflict((conflict) =>
        conflict.columns(['site_id', 'license_id']).doUpdateSet({ sequence, issued_at: at }),
      )
      .execute();
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
