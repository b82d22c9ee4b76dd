import {
  type ContainerContents,
  type Err,
  type KeywardError,
  ok,
  type Result,
  type UpdateOperation,
} from '@keyward/core';
import type { Kysely } from 'kysely';
import type { VendorDb } from './database.js';
import { recordLicenseEvent } from './license-events.js';
import type { VendorDatabase } from './schema.js';

/**
 * What an update is issued for (an order marked processed), taken in the update's transaction
 * and first, so that racing issuers queue on it: when it refuses, nothing is issued.
 */
export type IssueClaim = (trx: Kysely<VendorDatabase>, updateId: string) => Promise<Result<void>>;

class ClaimRefused extends Error {
  constructor(readonly refusal: Err<KeywardError>) {
    super('claim refused');
  }
}

/** How an update was asked for and travels: a request file, a request code read out, or online. */
export const UPDATE_TRANSPORTS = ['file', 'code', 'online'] as const;
export type UpdateTransport = (typeof UPDATE_TRANSPORTS)[number];

function toTransport(text: string): UpdateTransport {
  const known = UPDATE_TRANSPORTS.find((transport) => transport === text);
  if (known === undefined) throw new Error(`Unknown update transport in the database: ${text}`);
  return known;
}

export interface IssuedUpdate {
  readonly id: string;
  readonly licenseId: string;
  readonly fromSequence: number;
  readonly toSequence: number;
  readonly operations: readonly UpdateOperation[];
  readonly resultHash: string;
  readonly packageFile: string;
  readonly transport: UpdateTransport;
  readonly orderRef: string | null;
  readonly createdAt: string;
}

export interface UpdateSummary {
  readonly id: string;
  readonly fromSequence: number;
  readonly toSequence: number;
  readonly operations: readonly UpdateOperation[];
  readonly transport: UpdateTransport;
  readonly orderRef: string | null;
  readonly createdAt: string;
}

/** The vendor's record of each license's contents, and the history of every update to them. */
export class UpdateStore {
  constructor(private readonly db: VendorDb) {}

  /** The hash of the contents the license had at `sequence`, if it ever was at that step. */
  async hashAt(licenseId: string, sequence: number): Promise<string | undefined> {
    if (sequence === 0) {
      const row = await this.db
        .selectFrom('license_contents')
        .select('initial_hash')
        .where('license_id', '=', licenseId)
        .executeTakeFirst();
      return row?.initial_hash;
    }
    const row = await this.db
      .selectFrom('license_updates')
      .select('result_hash')
      .where('license_id', '=', licenseId)
      .where('to_sequence', '=', sequence)
      .executeTakeFirst();
    return row?.result_hash;
  }

  /** Update files issued after `sequence`, in the order they apply. */
  async packagesAfter(licenseId: string, sequence: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('license_updates')
      .select('package_file')
      .where('license_id', '=', licenseId)
      .where('from_sequence', '>=', sequence)
      .orderBy('to_sequence')
      .execute();
    return rows.map((row) => row.package_file);
  }

  /** The update file of one issued update, to send again (e-mail, download). */
  async fileOf(updateId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('license_updates')
      .select('package_file')
      .where('id', '=', updateId)
      .executeTakeFirst();
    return row?.package_file;
  }

  /** Which license (and serial) an issued update is for, from which step, and its file. */
  async issued(
    updateId: string,
  ): Promise<{ licenseId: string; serial: string; fromSequence: number; file: string } | undefined> {
    const row = await this.db
      .selectFrom('license_updates')
      .innerJoin('licenses', 'licenses.id', 'license_updates.license_id')
      .select([
        'license_updates.license_id',
        'licenses.serial',
        'license_updates.from_sequence',
        'license_updates.package_file',
      ])
      .where('license_updates.id', '=', updateId)
      .executeTakeFirst();
    return (
      row && {
        licenseId: row.license_id,
        serial: row.serial,
        fromSequence: row.from_sequence,
        file: row.package_file,
      }
    );
  }

  /**
   * Raises the step a container of the license reported to `sequence`: never lowers it (an older
   * container reports less), never past the vendor's record (a step the vendor never issued).
   */
  async recordReportedStep(licenseId: string, sequence: number): Promise<void> {
    await this.db
      .updateTable('license_contents')
      .set({ reported_sequence: sequence })
      .where('license_id', '=', licenseId)
      .where('reported_sequence', '<', sequence)
      .where('sequence', '>=', sequence)
      .execute();
  }

  async history(licenseId: string): Promise<UpdateSummary[]> {
    const rows = await this.db
      .selectFrom('license_updates')
      .selectAll()
      .where('license_id', '=', licenseId)
      .orderBy('to_sequence')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      fromSequence: row.from_sequence,
      toSequence: row.to_sequence,
      operations: JSON.parse(row.operations) as UpdateOperation[],
      transport: toTransport(row.transport),
      orderRef: row.order_ref,
      createdAt: row.created_at,
    }));
  }

  /**
   * Records an issued update and moves the vendor's record to its result, all at once. Answers
   * false, changing nothing, when the record is no longer at the update's from-step (another
   * update was issued meanwhile): the unique step and the conditional update decide. The claim's
   * refusal is the answer when it refuses, changing nothing either.
   */
  async issue(
    update: IssuedUpdate,
    result: { contents: ContainerContents; hash: string },
    claim: IssueClaim = async () => ok(undefined),
  ): Promise<Result<boolean>> {
    try {
      return ok(await this.record(update, result, claim));
    } catch (error) {
      if (error instanceof ClaimRefused) return error.refusal;
      throw error;
    }
  }

  private async record(
    update: IssuedUpdate,
    result: { contents: ContainerContents; hash: string },
    claim: IssueClaim,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const claimed = await claim(trx, update.id);
      if (!claimed.ok) throw new ClaimRefused(claimed);
      const moved = await trx
        .updateTable('license_contents')
        .set({
          sequence: update.toSequence,
          contents: JSON.stringify(result.contents),
          contents_hash: result.hash,
          updated_at: update.createdAt,
        })
        .where('license_id', '=', update.licenseId)
        .where('sequence', '=', update.fromSequence)
        .executeTakeFirst();
      if (moved.numUpdatedRows !== 1n) return false;
      const inserted = await trx
        .insertInto('license_updates')
        .values({
          id: update.id,
          license_id: update.licenseId,
          from_sequence: update.fromSequence,
          to_sequence: update.toSequence,
          operations: JSON.stringify(update.operations),
          result_hash: update.resultHash,
          package_file: update.packageFile,
          transport: update.transport,
          order_ref: update.orderRef,
          created_at: update.createdAt,
        })
        .onConflict((conflict) => conflict.columns(['license_id', 'to_sequence']).doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows !== 1n)
        throw new Error('Update step taken though the record was at its from-step');
      // The server's own checks read the license's expiry: it follows the contents.
      await trx
        .updateTable('licenses')
        .set({ expires_at: result.contents.expiresAt })
        .where('id', '=', update.licenseId)
        .execute();
      await recordLicenseEvent(
        trx,
        update.licenseId,
        'updated',
        { updateId: update.id, toSequence: update.toSequence },
        update.createdAt,
      );
      return true;
    });
  }
}
