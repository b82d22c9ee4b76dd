import {
  type Binding,
  type ContainerContents,
  contentsHash,
  type License,
  type LicenseStatus,
} from '@keyward/core';
import type { Selectable } from 'kysely';
import type { VendorDb } from './database.js';
import { type LicenseEvent, licenseHistory, recordLicenseEvent } from './license-events.js';
import type { BindingsTable, LicensesTable } from './schema.js';

export function toLicense(row: Selectable<LicensesTable>): License {
  return {
    id: row.id,
    serial: row.serial,
    productId: row.product_id,
    policyId: row.policy_id,
    status: row.status === 'suspended' ? 'suspended' : 'active',
    expiresAt: row.expires_at,
    transfersUsed: row.transfers_used,
    consumed: JSON.parse(row.counters_consumed) as License['consumed'],
    note: row.note,
    createdAt: row.created_at,
  };
}

export function toBinding(row: Selectable<BindingsTable>): Binding {
  return {
    id: row.id,
    licenseId: row.license_id,
    fingerprintHash: row.fingerprint_hash,
    containerKey: row.container_key,
    containerBoxKey: row.container_box_key,
    createdAt: row.created_at,
    lastCheckedAt: row.last_checked_at,
  };
}

export interface LicenseDetails {
  readonly license: License;
  readonly binding: Binding | undefined;
  readonly history: LicenseEvent[];
}

export interface LicenseFilter {
  readonly productId?: string;
  readonly policyId?: string;
  readonly after?: string;
  readonly limit: number;
}

/** Licenses as the vendor administers them. */
export class LicenseStore {
  constructor(private readonly db: VendorDb) {}

  /** Issues licenses, each with its initial contents at update step 0. */
  async createLicenses(licenses: readonly License[], contents: ContainerContents): Promise<void> {
    const contentsJson = JSON.stringify(contents);
    const hash = contentsHash(contents);
    await this.db.transaction().execute(async (trx) => {
      for (const license of licenses) {
        await trx
          .insertInto('licenses')
          .values({
            id: license.id,
            serial: license.serial,
            product_id: license.productId,
            policy_id: license.policyId,
            status: license.status,
            expires_at: license.expiresAt,
            note: license.note,
            created_at: license.createdAt,
          })
          .execute();
        await trx
          .insertInto('license_contents')
          .values({
            license_id: license.id,
            sequence: 0,
            contents: contentsJson,
            contents_hash: hash,
            initial_hash: hash,
            updated_at: license.createdAt,
          })
          .execute();
        await recordLicenseEvent(
          trx,
          license.id,
          'created',
          { policyId: license.policyId },
          license.createdAt,
        );
      }
    });
  }

  async findLicense(idOrSerial: string): Promise<License | undefined> {
    const row = await this.db
      .selectFrom('licenses')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrSerial), eb('serial', '=', idOrSerial)]))
      .executeTakeFirst();
    return row && toLicense(row);
  }

  async details(license: License): Promise<LicenseDetails> {
    const binding = await this.db
      .selectFrom('bindings')
      .selectAll()
      .where('license_id', '=', license.id)
      .executeTakeFirst();
    return {
      license,
      binding: binding && toBinding(binding),
      history: await licenseHistory(this.db, license.id),
    };
  }

  async listLicenses(filter: LicenseFilter): Promise<License[]> {
    let query = this.db.selectFrom('licenses').selectAll().orderBy('id').limit(filter.limit);
    if (filter.productId !== undefined) query = query.where('product_id', '=', filter.productId);
    if (filter.policyId !== undefined) query = query.where('policy_id', '=', filter.policyId);
    if (filter.after !== undefined) query = query.where('id', '>', filter.after);
    return (await query.execute()).map(toLicense);
  }

  /** Changes the status and records why; returns the license as it now is. */
  async setStatus(
    license: License,
    status: LicenseStatus,
    reason: string | null,
    at: string,
  ): Promise<License> {
    if (license.status === status) return license;
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('licenses').set({ status }).where('id', '=', license.id).execute();
      await recordLicenseEvent(
        trx,
        license.id,
        status === 'suspended' ? 'suspended' : 'reinstated',
        { reason },
        at,
      );
    });
    return { ...license, status };
  }
}
