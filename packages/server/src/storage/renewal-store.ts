import type { VendorDb } from './database.js';

/** A renewal tied to the license it renews. */
export interface Renewal {
  readonly id: string;
  readonly licenseId: string;
  readonly renewalLicenseId: string;
  readonly createdAt: string;
  readonly fetchedAt: string | null;
  readonly fetchedBySite: string | null;
}

/** A renewal as the vendor's staff reads it: both licenses by serial, with their expiry. */
export interface RenewalView {
  readonly id: string;
  readonly product: string;
  readonly licenseSerial: string;
  readonly licenseExpiresAt: string | null;
  readonly renewalSerial: string;
  readonly renewalExpiresAt: string | null;
  readonly createdAt: string;
  readonly fetchedAt: string | null;
  readonly fetchedBySite: string | null;
}

/** Which renewals to list: those of, or by, one license; those of the licenses one site was issued. */
export interface RenewalFilter {
  readonly licenseId?: string;
  readonly siteId?: string;
}

/** Renewals bought in advance. The unique constraints keep one renewal per license, each renewing one. */
export class RenewalStore {
  constructor(private readonly db: VendorDb) {}

  /** Ties a renewal unless either license is already tied; returns false when one is. */
  async tie(renewal: Renewal): Promise<boolean> {
    const result = await this.db
      .insertInto('renewals')
      .values({
        id: renewal.id,
        license_id: renewal.licenseId,
        renewal_license_id: renewal.renewalLicenseId,
        created_at: renewal.createdAt,
        fetched_at: null,
        fetched_by_site_id: null,
      })
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async find(id: string): Promise<Renewal | undefined> {
    return this.findWhere('id', id);
  }

  /** The renewal waiting for a license. */
  async findFor(licenseId: string): Promise<Renewal | undefined> {
    return this.findWhere('license_id', licenseId);
  }

  /** The renewal a license is the renewal license of. */
  async findBy(renewalLicenseId: string): Promise<Renewal | undefined> {
    return this.findWhere('renewal_license_id', renewalLicenseId);
  }

  private async findWhere(
    column: 'id' | 'license_id' | 'renewal_license_id',
    value: string,
  ): Promise<Renewal | undefined> {
    const row = await this.db.selectFrom('renewals').selectAll().where(column, '=', value).executeTakeFirst();
    return (
      row && {
        id: row.id,
        licenseId: row.license_id,
        renewalLicenseId: row.renewal_license_id,
        createdAt: row.created_at,
        fetchedAt: row.fetched_at,
        fetchedBySite: row.fetched_by_site_id,
      }
    );
  }

  async list(filter: RenewalFilter = {}): Promise<RenewalView[]> {
    let query = this.db
      .selectFrom('renewals')
      .innerJoin('licenses as renewed', 'renewed.id', 'renewals.license_id')
      .innerJoin('licenses as renewal', 'renewal.id', 'renewals.renewal_license_id')
      .innerJoin('products', 'products.id', 'renewed.product_id')
      .select([
        'renewals.id',
        'products.code as product',
        'renewed.serial as licenseSerial',
        'renewed.expires_at as licenseExpiresAt',
        'renewal.serial as renewalSerial',
        'renewal.expires_at as renewalExpiresAt',
        'renewals.created_at as createdAt',
        'renewals.fetched_at as fetchedAt',
        'renewals.fetched_by_site_id as fetchedBySite',
      ])
      .orderBy('renewals.id');
    const { licenseId, siteId } = filter;
    if (licenseId !== undefined)
      query = query.where((eb) =>
        eb.or([eb('renewals.license_id', '=', licenseId), eb('renewals.renewal_license_id', '=', licenseId)]),
      );
    if (siteId !== undefined)
      query = query.where('renewals.license_id', 'in', (eb) =>
        eb.selectFrom('site_licenses').select('license_id').where('site_id', '=', siteId),
      );
    return query.execute();
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('renewals').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows === 1n;
  }

  /** Records the first fetch only: a site asking again changes nothing. */
  async markFetched(id: string, siteId: string, at: string): Promise<void> {
    await this.db
      .updateTable('renewals')
      .set({ fetched_at: at, fetched_by_site_id: siteId })
      .where('id', '=', id)
      .where('fetched_at', 'is', null)
      .execute();
  }
}
