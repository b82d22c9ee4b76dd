import type { ContainerContents, UpdateOperation } from '@keyward/core';
import type { VendorDb } from './database.js';
import { recordLicenceEvent } from './licence-events.js';

export interface IssuedUpdate {
  readonly id: string;
  readonly licenceId: string;
  readonly fromSequence: number;
  readonly toSequence: number;
  readonly operations: readonly UpdateOperation[];
  readonly resultHash: string;
  readonly packageFile: string;
  readonly transport: 'file' | 'code' | 'online';
  readonly orderRef: string | null;
  readonly createdAt: string;
}

export interface UpdateSummary {
  readonly id: string;
  readonly fromSequence: number;
  readonly toSequence: number;
  readonly operations: readonly UpdateOperation[];
  readonly transport: string;
  readonly orderRef: string | null;
  readonly createdAt: string;
}

/** The vendor's record of each licence's contents, and the history of every update to them. */
export class UpdateStore {
  constructor(private readonly db: VendorDb) {}

  /** The hash of the contents the licence had at `sequence`, if it ever was at that step. */
  async hashAt(licenceId: string, sequence: number): Promise<string | undefined> {
    if (sequence === 0) {
      const row = await this.db
        .selectFrom('licence_contents')
        .select('initial_hash')
        .where('licence_id', '=', licenceId)
        .executeTakeFirst();
      return row?.initial_hash;
    }
    const row = await this.db
      .selectFrom('licence_updates')
      .select('result_hash')
      .where('licence_id', '=', licenceId)
      .where('to_sequence', '=', sequence)
      .executeTakeFirst();
    return row?.result_hash;
  }

  /** Update files issued after `sequence`, in the order they apply. */
  async packagesAfter(licenceId: string, sequence: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('licence_updates')
      .select('package_file')
      .where('licence_id', '=', licenceId)
      .where('from_sequence', '>=', sequence)
      .orderBy('to_sequence')
      .execute();
    return rows.map((row) => row.package_file);
  }

  /** The update file of one issued update, to send again (e-mail, download). */
  async fileOf(updateId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('licence_updates')
      .select('package_file')
      .where('id', '=', updateId)
      .executeTakeFirst();
    return row?.package_file;
  }

  async history(licenceId: string): Promise<UpdateSummary[]> {
    const rows = await this.db
      .selectFrom('licence_updates')
      .selectAll()
      .where('licence_id', '=', licenceId)
      .orderBy('to_sequence')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      fromSequence: row.from_sequence,
      toSequence: row.to_sequence,
      operations: JSON.parse(row.operations) as UpdateOperation[],
      transport: row.transport,
      orderRef: row.order_ref,
      createdAt: row.created_at,
    }));
  }

  /**
   * Records an issued update and moves the vendor's record to its result, all at once. Returns
   * false, changing nothing, when the record is no longer at the update's from-step (another
   * update was issued meanwhile): the unique step and the conditional update decide.
   */
  async issue(update: IssuedUpdate, result: { contents: ContainerContents; hash: string }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('licence_contents')
        .set({
          sequence: update.toSequence,
          contents: JSON.stringify(result.contents),
          contents_hash: result.hash,
          updated_at: update.createdAt,
        })
        .where('licence_id', '=', update.licenceId)
        .where('sequence', '=', update.fromSequence)
        .executeTakeFirst();
      if (moved.numUpdatedRows !== 1n) return false;
      const inserted = await trx
        .insertInto('licence_updates')
        .values({
          id: update.id,
          licence_id: update.licenceId,
          from_sequence: update.fromSequence,
          to_sequence: update.toSequence,
          operations: JSON.stringify(update.operations),
          result_hash: update.resultHash,
          package_file: update.packageFile,
          transport: update.transport,
          order_ref: update.orderRef,
          created_at: update.createdAt,
        })
        .onConflict((conflict) => conflict.columns(['licence_id', 'to_sequence']).doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows !== 1n)
        throw new Error('Update step taken though the record was at its from-step');
      // The server's own checks read the licence's expiry: it follows the contents.
      await trx
        .updateTable('licences')
        .set({ expires_at: result.contents.expiresAt })
        .where('id', '=', update.licenceId)
        .execute();
      await recordLicenceEvent(
        trx,
        update.licenceId,
        'updated',
        { updateId: update.id, toSequence: update.toSequence },
        update.createdAt,
      );
      return true;
    });
  }
}
