import type { Transaction } from 'kysely';
import type { SiteDb } from './database.js';
import { donatedSeats, leasedSeats, type SeatShare } from './donated-seats.js';
import type { DonationsTable, SiteDatabase } from './schema.js';

export type DonationState = 'waiting' | 'pending' | 'delivered';

/** Seats of one license donated to one child, as the donor records them. */
export interface DonationRecord {
  readonly id: string;
  readonly serial: string;
  readonly neighbourSiteId: string;
  readonly items: SeatShare;
  readonly replaces: string | null;
  readonly state: DonationState;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
}

function toRecord(row: DonationsTable): DonationRecord {
  return {
    id: row.id,
    serial: row.serial,
    neighbourSiteId: row.neighbour_site_id,
    items: JSON.parse(row.items) as SeatShare,
    replaces: row.replaces,
    state: row.state as DonationState,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}

/** Whether `share` fits in the seats of `whole` that no live lease and no other donation holds. */
async function fits(
  trx: Transaction<SiteDatabase>,
  serial: string,
  share: SeatShare,
  whole: SeatShare,
  now: string,
  exceptDonationId: string | undefined,
): Promise<boolean> {
  for (const [item, seats] of Object.entries(share))
    for (const [seat, wanted] of Object.entries(seats)) {
      const pool = { serial, item, seat };
      const used = (await leasedSeats(trx, pool, now)) + (await donatedSeats(trx, pool, exceptDonationId));
      if (used + wanted > (whole[item]?.[seat] ?? 0)) return false;
    }
  return true;
}

/**
 * The donor's donations. Reserving seats counts live leases and the other donations in one
 * transaction, as taking a lease does, so stations and neighbours together stay within the count.
 */
export class DonationStore {
  constructor(private readonly db: SiteDb) {}

  /**
   * Records a donation of `record.items` of a license whose vendor counts are `whole`, replacing
   * the one the same child has of that serial: `pending` when the seats are free; otherwise
   * `waiting` if `whenShort` says so, or nothing recorded (undefined).
   */
  async place(
    record: Omit<DonationRecord, 'state' | 'deliveredAt'>,
    whole: SeatShare,
    now: string,
    whenShort: 'refuse' | 'wait',
  ): Promise<DonationState | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('donations')
        .select('id')
        .where('serial', '=', record.serial)
        .where('neighbour_site_id', '=', record.neighbourSiteId)
        .executeTakeFirst();
      const free = await fits(trx, record.serial, record.items, whole, now, existing?.id);
      if (!free && whenShort === 'refuse') return undefined;
      const state: DonationState = free ? 'pending' : 'waiting';
      if (existing !== undefined) await trx.deleteFrom('donations').where('id', '=', existing.id).execute();
      await trx
        .insertInto('donations')
        .values({
          id: record.id,
          serial: record.serial,
          neighbour_site_id: record.neighbourSiteId,
          items: JSON.stringify(record.items),
          replaces: record.replaces,
          state,
          created_at: record.createdAt,
          delivered_at: null,
        })
        .execute();
      return state;
    });
  }

  /** A waiting donation takes its seats if they are free now; true when it is pending. */
  async reserve(id: string, whole: SeatShare, now: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('donations').selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined || row.state !== 'waiting') return row?.state === 'pending';
      if (!(await fits(trx, row.serial, JSON.parse(row.items) as SeatShare, whole, now, id))) return false;
      await trx.updateTable('donations').set({ state: 'pending' }).where('id', '=', id).execute();
      return true;
    });
  }

  async delivered(id: string, at: string): Promise<void> {
    await this.db
      .updateTable('donations')
      .set({ state: 'delivered', delivered_at: at })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .execute();
  }

  async find(serial: string, neighbourSiteId: string): Promise<DonationRecord | undefined> {
    const row = await this.db
      .selectFrom('donations')
      .selectAll()
      .where('serial', '=', serial)
      .where('neighbour_site_id', '=', neighbourSiteId)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** Every donation, or those of one license, oldest first. */
  async list(serial?: string): Promise<DonationRecord[]> {
    let query = this.db.selectFrom('donations').selectAll();
    if (serial !== undefined) query = query.where('serial', '=', serial);
    return (await query.orderBy('created_at').orderBy('id').execute()).map(toRecord);
  }

  /** Donations not delivered yet, oldest first: the neighbour loop's work. */
  async undelivered(): Promise<DonationRecord[]> {
    const rows = await this.db
      .selectFrom('donations')
      .selectAll()
      .where('state', '!=', 'delivered')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  async remove(serial: string, neighbourSiteId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('donations')
      .where('serial', '=', serial)
      .where('neighbour_site_id', '=', neighbourSiteId)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
  }
}
