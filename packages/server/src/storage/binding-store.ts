import {
  type Binding,
  bindingFactsDiffer,
  type ContainerContents,
  consumptionGrows,
  effectiveMaxTransfers,
  err,
  type KeywardError,
  keywardError,
  type License,
  mergeConsumption,
  newId,
  ok,
  type Policy,
  type Result,
  transferRefusal,
} from '@keyward/core';
import { sql, type Transaction } from 'kysely';
import { queueWebhookEvent } from '../webhooks/webhook-outbox.js';
import { toPolicy } from './catalogue-store.js';
import { CheckRecorder } from './check-recorder.js';
import type { VendorDb } from './database.js';
import { type Audit, recordLicenseEvent } from './license-events.js';
import { toBinding, toLicense } from './license-store.js';
import { preparedQuery } from './prepared-query.js';
import type { VendorDatabase } from './schema.js';

/** Everything the activation server needs to answer for one serial, read in one query. */
export interface SerialRecord {
  readonly license: License;
  readonly policy: Policy;
  readonly productCode: string;
  readonly binding: Binding | undefined;
  /** The vendor's record of the license's contents, and the update step they are at. */
  readonly sequence: number;
  /** The highest update step a container of the license reported: its receipt of the updates up to it. */
  readonly reportedSequence: number;
  readonly contents: ContainerContents;
}

export interface Release {
  readonly licenseId: string;
  readonly bindingId: string;
  readonly containerKey: string;
  readonly nonce: string;
  /**
   * The policy's limit. The license's extra transfers (granted by the vendor) are added to it by
   * the database, as they stand when the release commits.
   */
  readonly maxTransfers: number | null;
  readonly at: string;
}

/** A refusal raised inside a transaction to roll it back; caught at the store's edge and returned as a value. */
class Refusal extends Error {
  constructor(readonly refusal: KeywardError) {
    super(refusal.message);
  }
}

/**
 * The activation server's atomic operations: bind a serial if unbound, refresh a binding on
 * check, release it for a transfer. The database enforces one computer per serial.
 */
export class BindingStore {
  /** The hot queries of every check, built once. */
  private readonly selectSerial;
  /** Successful checks, written in batches. */
  readonly checks: CheckRecorder;

  constructor(private readonly db: VendorDb) {
    this.selectSerial = preparedQuery(1, (serial) =>
      db
        .selectFrom('licenses as l')
        .innerJoin('policies as p', 'p.id', 'l.policy_id')
        .innerJoin('products as pr', 'pr.id', 'l.product_id')
        .leftJoin('bindings as b', 'b.license_id', 'l.id')
        .innerJoin('license_contents as c', 'c.license_id', 'l.id')
        .selectAll('l')
        .select([
          'p.product_id as p_product_id',
          'p.name as p_name',
          'p.check_interval_days as p_check_interval_days',
          'p.evaluation_days as p_evaluation_days',
          'p.max_transfers as p_max_transfers',
          'p.verification as p_verification',
          'p.duration_days as p_duration_days',
          'p.created_at as p_created_at',
          'p.items as p_items',
          'p.counters as p_counters',
          'p.grace_days as p_grace_days',
          'p.archived_at as p_archived_at',
          'c.sequence as c_sequence',
          'c.reported_sequence as c_reported_sequence',
          'c.contents as c_contents',
          'pr.code as product_code',
          'b.id as b_id',
          'b.fingerprint_hash as b_fingerprint_hash',
          'b.fingerprint_parts as b_fingerprint_parts',
          'b.container_key as b_container_key',
          'b.container_box_key as b_container_box_key',
          'b.created_at as b_created_at',
          'b.last_checked_at as b_last_checked_at',
          'b.check_count as b_check_count',
        ])
        .where('l.serial', '=', serial),
    );
    const recordCheck = preparedQuery(3, (at, count, bindingId) =>
      db
        .updateTable('bindings')
        .set({ last_checked_at: at, check_count: sql<number>`check_count + ${count}` })
        .where('id', '=', bindingId),
    );
    this.checks = new CheckRecorder(async (batch) => {
      // A binding released meanwhile simply updates nothing.
      await db.transaction().execute(async (trx) => {
        for (const [bindingId, { at, count }] of batch) await recordCheck(trx, at, count, bindingId);
      });
    });
  }

  async findSerial(serial: string): Promise<SerialRecord | undefined> {
    const [row] = await this.selectSerial(this.db, serial);
    if (row === undefined) return undefined;
    const policy = toPolicy({
      id: row.policy_id,
      product_id: row.p_product_id,
      name: row.p_name,
      check_interval_days: row.p_check_interval_days,
      evaluation_days: row.p_evaluation_days,
      max_transfers: row.p_max_transfers,
      verification: row.p_verification,
      duration_days: row.p_duration_days,
      created_at: row.p_created_at,
      items: row.p_items,
      counters: row.p_counters,
      grace_days: row.p_grace_days,
      archived_at: row.p_archived_at,
    });
    const binding =
      row.b_id === null || row.b_fingerprint_hash === null || row.b_container_key === null
        ? undefined
        : toBinding({
            id: row.b_id,
            license_id: row.id,
            fingerprint_hash: row.b_fingerprint_hash,
            fingerprint_parts: row.b_fingerprint_parts ?? '{}',
            container_key: row.b_container_key,
            container_box_key: row.b_container_box_key ?? '',
            created_at: row.b_created_at ?? '',
            last_checked_at: row.b_last_checked_at,
            check_count: row.b_check_count ?? 0,
          });
    return {
      license: toLicense(row),
      policy,
      productCode: row.product_code,
      binding,
      sequence: row.c_sequence,
      reportedSequence: row.c_reported_sequence,
      contents: JSON.parse(row.c_contents) as ContainerContents,
    };
  }

  /** Binds the serial to this computer unless it is bound already; false when another binding won. */
  async bindIfUnbound(binding: Binding): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('bindings')
        .values({
          id: binding.id,
          license_id: binding.licenseId,
          fingerprint_hash: binding.fingerprintHash,
          fingerprint_parts: JSON.stringify(binding.fingerprintParts),
          container_key: binding.containerKey,
          container_box_key: binding.containerBoxKey,
          created_at: binding.createdAt,
          last_checked_at: binding.lastCheckedAt,
          check_count: 1,
        })
        .onConflict((conflict) => conflict.column('license_id').doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows !== 1n) return false;
      await recordLicenseEvent(
        trx,
        binding.licenseId,
        'activated',
        { bindingId: binding.id },
        binding.createdAt,
      );
      return true;
    });
  }

  /** A check the license refused: nothing in it changes, but the vendor hears of it by webhook. */
  async recordCheckFailure(license: License, code: string, at: string): Promise<void> {
    await queueWebhookEvent(this.db, {
      id: newId('evt'),
      type: 'license.check_failed',
      data: { licenseId: license.id, serial: license.serial, code },
      at,
    });
  }

  /** Whether a computer holds the serial: it may then not be issued to a site server. */
  async isBound(licenseId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('bindings')
      .select('id')
      .where('license_id', '=', licenseId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Takes back a binding just made, because a site server claimed the serial meanwhile: the
   * history (and the vendor's webhook) hear of it as a release, after the activation they heard of.
   */
  async withdraw(binding: Binding, at: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('bindings').where('id', '=', binding.id).executeTakeFirst();
      if (removed.numDeletedRows !== 1n) return;
      const detail = { bindingId: binding.id, reason: 'A site server holds the serial' };
      await recordLicenseEvent(trx, binding.licenseId, 'released', detail, at);
    });
  }

  /**
   * A successful check from the bound computer. A new container there (reinstalled application)
   * takes over the binding, and a tolerated hardware change moves its fingerprint along.
   */
  async refresh(
    binding: Binding,
    keys: Pick<Binding, 'containerKey' | 'containerBoxKey' | 'fingerprintHash' | 'fingerprintParts'>,
    at: string,
  ): Promise<void> {
    if (!bindingFactsDiffer(binding, keys)) {
      this.checks.record(binding.id, at);
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('bindings')
        .set((eb) => ({
          last_checked_at: at,
          check_count: eb('check_count', '+', 1),
          container_key: keys.containerKey,
          container_box_key: keys.containerBoxKey,
          fingerprint_hash: keys.fingerprintHash,
          fingerprint_parts: JSON.stringify(keys.fingerprintParts),
        }))
        .where('id', '=', binding.id)
        .execute();
      const hardware = binding.fingerprintHash !== keys.fingerprintHash;
      await recordLicenseEvent(trx, binding.licenseId, 'rebound', { bindingId: binding.id, hardware }, at);
    });
  }

  /**
   * Releases the serial from the computer that holds it, counting a transfer. All or nothing: the
   * nonce is spent, the binding removed and the count raised together, or nothing changes.
   * Returns the transfers used so far.
   */
  async release(release: Release): Promise<Result<number>> {
    try {
      const transfersUsed = await this.db.transaction().execute(async (trx) => {
        const spent = await trx
          .insertInto('used_nonces')
          .values({ nonce: release.nonce, license_id: release.licenseId, used_at: release.at })
          .onConflict((conflict) => conflict.column('nonce').doNothing())
          .executeTakeFirst();
        if (spent.numInsertedOrUpdatedRows !== 1n) throw new Refusal(keywardError('REQUEST_REPLAYED'));
        const removed = await trx
          .deleteFrom('bindings')
          .where('id', '=', release.bindingId)
          .where('license_id', '=', release.licenseId)
          .where('container_key', '=', release.containerKey)
          .executeTakeFirst();
        if (removed.numDeletedRows !== 1n) {
          // Released already by this same container, whose answer was lost: the same receipt again.
          const earlier = await trx
            .selectFrom('released_bindings')
            .select('transfers_used')
            .where('binding_id', '=', release.bindingId)
            .where('license_id', '=', release.licenseId)
            .where('container_key', '=', release.containerKey)
            .executeTakeFirst();
          if (earlier !== undefined) return earlier.transfers_used;
          throw new Refusal(keywardError('NOT_BOUND_HERE'));
        }
        let counted = trx
          .updateTable('licenses')
          .set((eb) => ({ transfers_used: eb('transfers_used', '+', 1) }))
          .where('id', '=', release.licenseId);
        // transfers_used < effectiveMaxTransfers(policy, license), with the license as it stands now.
        if (release.maxTransfers !== null) {
          const policyMax = release.maxTransfers;
          counted = counted.where((eb) =>
            eb(eb('transfers_used', '-', eb.ref('extra_transfers')), '<', policyMax),
          );
        }
        const row = await counted.returning('transfers_used').executeTakeFirst();
        if (row === undefined) throw new Refusal(await this.transferLimitRefusal(trx, release));
        await trx
          .insertInto('released_bindings')
          .values({
            binding_id: release.bindingId,
            license_id: release.licenseId,
            container_key: release.containerKey,
            transfers_used: row.transfers_used,
            released_at: release.at,
          })
          .execute();
        await recordLicenseEvent(
          trx,
          release.licenseId,
          'deactivated',
          { bindingId: release.bindingId },
          release.at,
        );
        return row.transfers_used;
      });
      return ok(transfersUsed);
    } catch (error) {
      if (error instanceof Refusal) return err(error.refusal);
      throw error;
    }
  }

  /**
   * Merges the counter consumption a container reports into the license's record (it only grows)
   * and returns the record. Writes only when the report raises a counter: the hot check path
   * reads and compares, nothing more.
   */
  async recordConsumption(
    license: License,
    reported: Readonly<Record<string, number>>,
  ): Promise<Readonly<Record<string, number>>> {
    if (!consumptionGrows(license.consumed, reported)) return license.consumed;
    const merged = mergeConsumption(license.consumed, reported);
    // Another process may raise it meanwhile: compare-and-swap on the stored text, merging again on a miss.
    let stored = JSON.stringify(license.consumed);
    for (let attempt = 0; attempt < 5; attempt++) {
      const next = mergeConsumption(JSON.parse(stored) as Record<string, number>, merged);
      const updated = await this.db
        .updateTable('licenses')
        .set({ counters_consumed: JSON.stringify(next) })
        .where('id', '=', license.id)
        .where('counters_consumed', '=', stored)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 1n) return next;
      const row = await this.db
        .selectFrom('licenses')
        .select('counters_consumed')
        .where('id', '=', license.id)
        .executeTakeFirst();
      if (row === undefined) return merged;
      stored = row.counters_consumed;
    }
    return merged;
  }

  /** The refusal of a transfer over the limit, with the counts as they stand in the database. */
  private async transferLimitRefusal(
    trx: Transaction<VendorDatabase>,
    release: Release,
  ): Promise<KeywardError> {
    const license = await trx
      .selectFrom('licenses')
      .select(['transfers_used', 'extra_transfers'])
      .where('id', '=', release.licenseId)
      .executeTakeFirstOrThrow();
    const limit = effectiveMaxTransfers(
      { maxTransfers: release.maxTransfers },
      { extraTransfers: license.extra_transfers },
    );
    return transferRefusal(license.transfers_used, limit) ?? keywardError('TRANSFER_LIMIT_REACHED');
  }

  /**
   * The vendor releases the serial from the computer that holds it, without counting a transfer
   * (the computer died, its fingerprint changed): the binding goes and the history records who
   * did it and why, together. Refused with NOT_BOUND when no computer holds the serial.
   */
  async releaseByVendor(licenseId: string, audit: Audit, at: string): Promise<Result<Binding>> {
    const released = await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .deleteFrom('bindings')
        .where('license_id', '=', licenseId)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const binding = toBinding(row);
      const detail = { bindingId: binding.id, fingerprintHash: binding.fingerprintHash, ...audit };
      await recordLicenseEvent(trx, licenseId, 'released', detail, at);
      return binding;
    });
    return released === undefined ? err(keywardError('NOT_BOUND')) : ok(released);
  }
}
