import type { SignedEnvelope } from '@keyward/core';
import type { PublishedKey } from '../vendor-keys.js';
import type { SiteDb } from './database.js';

/** The certificate file as installed; verified again whenever it is loaded. */
export interface StoredIdentity {
  readonly certificate: SignedEnvelope;
  readonly vendorKeys: readonly PublishedKey[];
}

/** The vendor's certificate of this site: one row, replaced when a new one is installed. */
export class IdentityStore {
  constructor(private readonly db: SiteDb) {}

  async current(): Promise<StoredIdentity | undefined> {
    const row = await this.db
      .selectFrom('site_identity')
      .select(['certificate', 'vendor_keys'])
      .where('id', '=', 1)
      .executeTakeFirst();
    return (
      row && {
        certificate: JSON.parse(row.certificate) as SignedEnvelope,
        vendorKeys: JSON.parse(row.vendor_keys) as PublishedKey[],
      }
    );
  }

  async install(siteId: string, identity: StoredIdentity, at: string): Promise<void> {
    const values = {
      site_id: siteId,
      certificate: JSON.stringify(identity.certificate),
      vendor_keys: JSON.stringify(identity.vendorKeys),
      installed_at: at,
    };
    await this.db
      .insertInto('site_identity')
      .values({ id: 1, ...values })
      .onConflict((conflict) => conflict.column('id').doUpdateSet(values))
      .execute();
  }
}
