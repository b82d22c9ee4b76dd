import { sql, type Transaction } from 'kysely';
import type { SiteDb } from './database.js';
import { donatedSeats } from './donated-seats.js';
import type { SiteDatabase } from './schema.js';

/** A seat lent to a station, as the site records it. */
export interface LeaseRecord {
  readonly id: string;
  readonly serial: string;
  readonly item: string;
  readonly seat: string;
  readonly stationId: string;
  readonly borrowed: boolean;
  readonly leasedAt: string;
  readonly expiresAt: string;
}

/** The license columns a heartbeat needs beside its lease: what its terms are verified from. */
export interface LeaseLicenseText {
  readonly envelope: string;
  readonly origin: string;
  readonly fromSiteId: string | null;
  readonly donation: string | null;
}

/** One seat kind of one license: `count` seats of `item`/`seat` under `serial`. */
export interface SeatPool {
  readonly serial: string;
  readonly item: string;
  readonly seat: string;
  readonly count: number;
}

interface LeaseRow {
  id: string;
  serial: string;
  item: string;
  seat: string;
  station_id: string;
  borrowed: number;
  leased_at: string;
  expires_at: string;
}

interface LicenseTextRow {
  license_envelope: string | null;
  license_origin: string | null;
  license_from_site_id: string | null;
  license_donation: string | null;
}

function toLease(row: LeaseRow): LeaseRecord {
  return {
    id: row.id,
    serial: row.serial,
    item: row.item,
    seat: row.seat,
    stationId: row.station_id,
    borrowed: row.borrowed === 1,
    leasedAt: row.leased_at,
    expiresAt: row.expires_at,
  };
}

/**
 * The lowest slot of the pool no lease holds, if the pool is not full: seats donated to
 * neighbours count as used. Slots fill upwards, so the next one is usually just above the
 * highest; only once the top slot was reached does it look for a gap a released lease left,
 * through the unique index.
 */
async function freeSlot(trx: Transaction<SiteDatabase>, pool: SeatPool): Promise<number | undefined> {
  const donated = await donatedSeats(trx, pool);
  const used = await trx
    .selectFrom('seat_leases')
    .select((eb) => [
      eb.fn.countAll<number>().as('count'),
      eb.fn.min<number | null>('slot').as('lowest'),
      eb.fn.max<number | null>('slot').as('highest'),
    ])
    .where('serial', '=', pool.serial)
    .where('item', '=', pool.item)
    .where('seat', '=', pool.seat)
    .executeTakeFirstOrThrow();
  if (Number(used.count) + donated >= pool.count) return undefined;
  if (used.lowest === null || Number(used.lowest) > 0) return 0;
  if (Number(used.highest) + 1 < pool.count) return Number(used.highest) + 1;
  const gap = await sql<{ slot: number }>`
    select a.slot + 1 as slot from seat_leases a
    where a.serial = ${pool.serial} and a.item = ${pool.item} and a.seat = ${pool.seat}
      and not exists (
        select 1 from seat_leases b
        where b.serial = a.serial and b.item = a.item and b.seat = a.seat and b.slot = a.slot + 1)
    order by a.slot limit 1`.execute(trx);
  return gap.rows[0]?.slot;
}

/**
 * Seat leases. A lease that missed its heartbeats (or whose borrowing ended) is past its
 * `expires_at`: it no longer counts, and its slot is taken back by the next lease of that pool.
 */
export class SeatStore {
  constructor(private readonly db: SiteDb) {}

  /**
   * Takes a seat of the pool if one is free: the lowest slot number below the count that no live
   * lease holds. The unique (serial, item, seat, slot) makes this safe however many requests
   * race: of two that pick the same slot, one inserts and the other looks again.
   */
  async take(
    pool: SeatPool,
    lease: LeaseRecord,
    now: string,
    serials: readonly string[],
  ): Promise<LeaseRecord | undefined> {
    return this.db.transaction().execute(async (trx) => {
      // A station asking twice at once gets one seat: the second finds the first's lease here.
      const held = await trx
        .selectFrom('seat_leases')
        .selectAll()
        .where('station_id', '=', lease.stationId)
        .where('item', '=', pool.item)
        .where('seat', '=', pool.seat)
        .where('serial', 'in', serials)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (held !== undefined) return toLease(held);
      await trx
        .deleteFrom('seat_leases')
        .where('serial', '=', pool.serial)
        .where('item', '=', pool.item)
        .where('seat', '=', pool.seat)
        .where('expires_at', '<=', now)
        .execute();
      for (;;) {
        const slot = await freeSlot(trx, pool);
        if (slot === undefined) return undefined;
        const inserted = await trx
          .insertInto('seat_leases')
          .values({
            id: lease.id,
            serial: pool.serial,
            item: pool.item,
            seat: pool.seat,
            slot,
            station_id: lease.stationId,
            borrowed: lease.borrowed ? 1 : 0,
            leased_at: lease.leasedAt,
            expires_at: lease.expiresAt,
          })
          .onConflict((conflict) => conflict.columns(['serial', 'item', 'seat', 'slot']).doNothing())
          .executeTakeFirst();
        if (inserted.numInsertedOrUpdatedRows === 1n) return lease;
      }
    });
  }

  /**
   * Moves a live lease to another license's pool (same lease id, item, seat, end), taking a free
   * slot there; a lease that does not fit is deleted, so its station leases again on its next
   * connection. Nothing happens to a lease that is gone or ran out.
   */
  async move(id: string, to: SeatPool, now: string): Promise<'moved' | 'left' | 'gone'> {
    return this.db.transaction().execute(async (trx) => {
      const live = await trx
        .selectFrom('seat_leases')
        .select('id')
        .where('id', '=', id)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (live === undefined) return 'gone';
      await trx
        .deleteFrom('seat_leases')
        .where('serial', '=', to.serial)
        .where('item', '=', to.item)
        .where('seat', '=', to.seat)
        .where('expires_at', '<=', now)
        .execute();
      const slot = await freeSlot(trx, to);
      if (slot === undefined) {
        await trx.deleteFrom('seat_leases').where('id', '=', id).execute();
        return 'left';
      }
      await trx.updateTable('seat_leases').set({ serial: to.serial, slot }).where('id', '=', id).execute();
      return 'moved';
    });
  }

  /**
   * Deletes the leases of a license that its terms no longer cover (a neighbour's smaller share):
   * slots at or above the new count, and items the share dropped.
   */
  async trim(serial: string, counts: readonly SeatPool[]): Promise<void> {
    const rows = await this.db
      .selectFrom('seat_leases')
      .select(['id', 'item', 'seat', 'slot'])
      .where('serial', '=', serial)
      .execute();
    const beyond = rows.filter(
      (row) =>
        row.slot >= (counts.find((pool) => pool.item === row.item && pool.seat === row.seat)?.count ?? 0),
    );
    if (beyond.length > 0)
      await this.db
        .deleteFrom('seat_leases')
        .where(
          'id',
          'in',
          beyond.map((row) => row.id),
        )
        .execute();
  }

  /** Live leases of one license, of some stations or all. */
  async liveOf(serial: string, now: string, stationIds?: readonly string[]): Promise<LeaseRecord[]> {
    if (stationIds?.length === 0) return [];
    let query = this.db
      .selectFrom('seat_leases')
      .selectAll()
      .where('serial', '=', serial)
      .where('expires_at', '>', now);
    if (stationIds !== undefined) query = query.where('station_id', 'in', stationIds);
    return (await query.orderBy('leased_at').orderBy('id').execute()).map(toLease);
  }

  async find(id: string): Promise<LeaseRecord | undefined> {
    const row = await this.db.selectFrom('seat_leases').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toLease(row);
  }

  /**
   * A lease and, in the same query, the stored text of its license (none when the license is
   * gone): what a heartbeat reads. The text is compared with what was verified before, so a row
   * edited in the database is verified anew.
   */
  async findWithLicense(
    id: string,
  ): Promise<{ lease: LeaseRecord; license: LeaseLicenseText | undefined } | undefined> {
    const { rows } = await sql<LeaseRow & LicenseTextRow>`
      select l.id, l.serial, l.item, l.seat, l.station_id, l.borrowed, l.leased_at, l.expires_at,
        s.envelope as license_envelope, s.origin as license_origin,
        s.from_site_id as license_from_site_id, s.donation as license_donation
      from seat_leases l left join site_licenses s on s.serial = l.serial
      where l.id = ${id}`.execute(this.db);
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      lease: toLease(row),
      license:
        row.license_envelope === null
          ? undefined
          : {
              envelope: row.license_envelope,
              origin: row.license_origin ?? '',
              fromSiteId: row.license_from_site_id,
              donation: row.license_donation,
            },
    };
  }

  /**
   * Moves a live lease's end to `until` if that is later (a heartbeat never shortens a borrowing);
   * `borrow` marks it taken offline.
   * Returns the lease as it is now; nothing when it is gone or has already run out.
   */
  async extend(id: string, until: string, borrow: boolean, now: string): Promise<LeaseRecord | undefined> {
    // Written as SQL: every heartbeat runs it, and building it with the query builder cost more
    // than running it.
    const { rows } = await sql<LeaseRow>`
      update seat_leases
      set expires_at = max(expires_at, ${until}), borrowed = max(borrowed, ${borrow ? 1 : 0})
      where id = ${id} and expires_at > ${now}
      returning id, serial, item, seat, station_id, borrowed, leased_at, expires_at`.execute(this.db);
    const row = rows[0];
    return row && toLease(row);
  }

  async release(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('seat_leases').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows === 1n;
  }

  /** Live leases, for the license manager's view of where each license is propagated. */
  async live(now: string): Promise<LeaseRecord[]> {
    const rows = await this.db
      .selectFrom('seat_leases')
      .selectAll()
      .where('expires_at', '>', now)
      .orderBy('serial')
      .orderBy('station_id')
      .execute();
    return rows.map(toLease);
  }
}
