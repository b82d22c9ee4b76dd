import {
  type Binding,
  type ContainerContents,
  contentsHash,
  type Licence,
  type LicenceStatus,
} from '@keyward/core';
import type { Selectable } from 'kysely';
import type { VendorDb } from './database.js';
import { type LicenceEvent, licenceHistory, recordLicenceEvent } from './licence-events.js';
import type { BindingsTable, LicencesTable } from './schema.js';

export function toLicence(row: Selectable<LicencesTable>): Licence {
  return {
    id: row.id,
    serial: row.serial,
    productId: row.product_id,
    policyId: row.policy_id,
    status: row.status === 'suspended' ? 'suspended' : 'active',
    expiresAt: row.expires_at,
    transfersUsed: row.transfers_used,
    note: row.note,
    createdAt: row.created_at,
  };
}

export function toBinding(row: Selectable<BindingsTable>): Binding {
  return {
    id: row.id,
    licenceId: row.licence_id,
    fingerprintHash: row.fingerprint_hash,
    containerKey: row.container_key,
    containerBoxKey: row.container_box_key,
    createdAt: row.created_at,
    lastCheckedAt: row.last_checked_at,
  };
}

export interface LicenceDetails {
  readonly licence: Licence;
  readonly binding: Binding | undefined;
  readonly history: LicenceEvent[];
}

export interface LicenceFilter {
  readonly productId?: string;
  readonly policyId?: string;
  readonly after?: string;
  readonly limit: number;
}

/** Licences as the vendor administers them. */
export class LicenceStore {
  constructor(private readonly db: VendorDb) {}

  /** Issues licences, each with its initial contents at update step 0. */
  async createLicences(licences: readonly Licence[], contents: ContainerContents): Promise<void> {
    const contentsJson = JSON.stringify(contents);
    const hash = contentsHash(contents);
    await this.db.transaction().execute(async (trx) => {
      for (const licence of licences) {
        await trx
          .insertInto('licences')
          .values({
            id: licence.id,
            serial: licence.serial,
            product_id: licence.productId,
            policy_id: licence.policyId,
            status: licence.status,
            expires_at: licence.expiresAt,
            note: licence.note,
            created_at: licence.createdAt,
          })
          .execute();
        await trx
          .insertInto('licence_contents')
          .values({
            licence_id: licence.id,
            sequence: 0,
            contents: contentsJson,
            contents_hash: hash,
            initial_hash: hash,
            updated_at: licence.createdAt,
          })
          .execute();
        await recordLicenceEvent(
          trx,
          licence.id,
          'created',
          { policyId: licence.policyId },
          licence.createdAt,
        );
      }
    });
  }

  async findLicence(idOrSerial: string): Promise<Licence | undefined> {
    const row = await this.db
      .selectFrom('licences')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrSerial), eb('serial', '=', idOrSerial)]))
      .executeTakeFirst();
    return row && toLicence(row);
  }

  async details(licence: Licence): Promise<LicenceDetails> {
    const binding = await this.db
      .selectFrom('bindings')
      .selectAll()
      .where('licence_id', '=', licence.id)
      .executeTakeFirst();
    return {
      licence,
      binding: binding && toBinding(binding),
      history: await licenceHistory(this.db, licence.id),
    };
  }

  async listLicences(filter: LicenceFilter): Promise<Licence[]> {
    let query = this.db.selectFrom('licences').selectAll().orderBy('id').limit(filter.limit);
    if (filter.productId !== undefined) query = query.where('product_id', '=', filter.productId);
    if (filter.policyId !== undefined) query = query.where('policy_id', '=', filter.policyId);
    if (filter.after !== undefined) query = query.where('id', '>', filter.after);
    return (await query.execute()).map(toLicence);
  }

  /** Changes the status and records why; returns the licence as it now is. */
  async setStatus(
    licence: Licence,
    status: LicenceStatus,
    reason: string | null,
    at: string,
  ): Promise<Licence> {
    if (licence.status === status) return licence;
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('licences').set({ status }).where('id', '=', licence.id).execute();
      await recordLicenceEvent(
        trx,
        licence.id,
        status === 'suspended' ? 'suspended' : 'reinstated',
        { reason },
        at,
      );
    });
    return { ...licence, status };
  }
}
