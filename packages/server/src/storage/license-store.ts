import {
  type Binding,
  type ContainerContents,
  contentsHash,
  decideLicenseArchive,
  decideStatusChange,
  err,
  LICENSE_STATUSES,
  type License,
  type LicenseStatus,
  ok,
  type Policy,
  type Result,
  refuse,
  transferGrantRefusal,
} from '@keyward/core';
import type { Selectable } from 'kysely';
import { type ArchivedFilter, archivedIs, claimOpen } from './catalogue-store.js';
import type { VendorDb } from './database.js';
import {
  type Audit,
  type LicenseEvent,
  type LicenseEventType,
  licenseHistory,
  recordLicenseEvent,
} from './license-events.js';
import type { BindingsTable, LicensesTable } from './schema.js';

function toStatus(status: string): LicenseStatus {
  const known = LICENSE_STATUSES.find((candidate) => candidate === status);
  if (known === undefined) throw new Error(`Unknown license status in the database: ${status}`);
  return known;
}

export function toLicense(row: Selectable<LicensesTable>): License {
  return {
    id: row.id,
    serial: row.serial,
    productId: row.product_id,
    policyId: row.policy_id,
    status: toStatus(row.status),
    expiresAt: row.expires_at,
    transfersUsed: row.transfers_used,
    consumed: JSON.parse(row.counters_consumed) as License['consumed'],
    extraTransfers: row.extra_transfers,
    note: row.note,
    createdAt: row.created_at,
    archivedAt: row.archived_at,
  };
}

export function toBinding(row: Selectable<BindingsTable>): Binding {
  return {
    id: row.id,
    licenseId: row.license_id,
    fingerprintHash: row.fingerprint_hash,
    fingerprintParts: JSON.parse(row.fingerprint_parts) as Binding['fingerprintParts'],
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
  readonly archived: ArchivedFilter;
}

/** Licenses as the vendor administers them. */
export class LicenseStore {
  constructor(private readonly db: VendorDb) {}

  /**
   * Issues licenses under one policy, each with its initial contents at update step 0, unless the
   * product or the policy is archived (decided on their rows, against a concurrent archiving).
   */
  async createLicenses(
    issue: { readonly productId: string; readonly policyId: string },
    licenses: readonly License[],
    contents: ContainerContents,
  ): Promise<Result<readonly License[]>> {
    const contentsJson = JSON.stringify(contents);
    const hash = contentsHash(contents);
    return this.db.transaction().execute(async (trx) => {
      if (!(await claimOpen(trx, 'products', issue.productId))) return refuse('PRODUCT_ARCHIVED');
      if (!(await claimOpen(trx, 'policies', issue.policyId))) return refuse('POLICY_ARCHIVED');
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
      return ok(licenses);
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
    if (filter.archived !== 'include') query = query.where('archived_at', archivedIs(filter.archived), null);
    return (await query.execute()).map(toLicense);
  }

  /**
   * Changes the status if the rules allow it (revoking is final) and records who did it and why;
   * returns the license as it now is. The change is decided on the status as it stands when it is
   * written, so a reinstatement racing a revocation cannot undo it.
   */
  async setStatus(
    license: License,
    status: LicenseStatus,
    audit: Audit,
    at: string,
  ): Promise<Result<License>> {
    return this.compareAndSet(license, at, (current) => {
      const decided = decideStatusChange(current.status, status);
      if (!decided.ok) return decided;
      if (decided.value === 'unchanged') return ok(undefined);
      return ok({ changed: { ...current, status }, event: STATUS_EVENTS[status], detail: { ...audit } });
    });
  }

  /** Raises the license's transfer allowance above its policy's limit, recording who did it and why. */
  async grantTransfers(
    license: License,
    policy: Pick<Policy, 'maxTransfers'>,
    add: number,
    audit: Audit,
    at: string,
  ): Promise<Result<License>> {
    return this.compareAndSet(license, at, (current) => {
      const refusal = transferGrantRefusal(current, policy, add);
      if (refusal !== undefined) return err(refusal);
      const extraTransfers = current.extraTransfers + add;
      return ok({
        changed: { ...current, extraTransfers },
        event: 'transfers_granted',
        detail: { add, extraTransfers, ...audit },
      });
    });
  }

  /** Changes the vendor's note; the history keeps who did it. */
  async editNote(license: License, note: string | null, audit: Audit, at: string): Promise<Result<License>> {
    return this.compareAndSet(license, at, (current) =>
      ok(
        current.note === note
          ? undefined
          : { changed: { ...current, note }, event: 'edited', detail: { fields: ['note'], ...audit } },
      ),
    );
  }

  /** Archives a license that can no longer be used (see `decideLicenseArchive`). */
  async archive(license: License, audit: Audit, now: Date): Promise<Result<License>> {
    const at = now.toISOString();
    return this.compareAndSet(license, at, (current) => {
      const decided = decideLicenseArchive(current, now);
      if (!decided.ok) return decided;
      if (decided.value === 'unchanged') return ok(undefined);
      return ok({ changed: { ...current, archivedAt: at }, event: 'archived', detail: { ...audit } });
    });
  }

  /**
   * Reads the license, decides the change on it and writes it with its history event, in one
   * transaction. The write holds only if the row is still as read (what the rules decide on:
   * status, extra transfers, expiry, archiving):
   * on an engine that lets a concurrent writer in between (PostgreSQL), the loser reads again and
   * decides again. Every round has a winner, so each writer finishes.
   */
  private async compareAndSet(
    license: License,
    at: string,
    decide: (current: License) => Result<LicenseChange | undefined>,
  ): Promise<Result<License>> {
    for (let round = 0; round < COMPARE_AND_SET_ROUNDS; round++) {
      const outcome = await this.db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('licenses')
          .selectAll()
          .where('id', '=', license.id)
          .executeTakeFirst();
        if (row === undefined) return refuse('LICENSE_NOT_FOUND');
        const current = toLicense(row);
        const decided = decide(current);
        if (!decided.ok) return decided;
        const change = decided.value;
        if (change === undefined) return ok(current);
        const updated = await trx
          .updateTable('licenses')
          .set({
            status: change.changed.status,
            extra_transfers: change.changed.extraTransfers,
            note: change.changed.note,
            archived_at: change.changed.archivedAt,
          })
          .where('id', '=', current.id)
          .where('status', '=', current.status)
          .where('extra_transfers', '=', current.extraTransfers)
          .where('expires_at', current.expiresAt === null ? 'is' : '=', current.expiresAt)
          .where('archived_at', current.archivedAt === null ? 'is' : '=', current.archivedAt)
          .executeTakeFirst();
        if (updated.numUpdatedRows !== 1n) return undefined;
        await recordLicenseEvent(trx, current.id, change.event, change.detail, at);
        return ok(change.changed);
      });
      if (outcome !== undefined) return outcome;
    }
    return refuse(
      'CONFLICT',
      `License ${license.serial} kept changing under other changes made at the same moment: read it again and retry.`,
    );
  }
}

/** A decided change of a license row, with the history event that records it. */
interface LicenseChange {
  readonly changed: License;
  readonly event: LicenseEventType;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** More concurrent admin writes to one license than any support desk makes. */
const COMPARE_AND_SET_ROUNDS = 50;

const STATUS_EVENTS: Readonly<Record<LicenseStatus, LicenseEventType>> = {
  active: 'reinstated',
  suspended: 'suspended',
  revoked: 'revoked',
};
