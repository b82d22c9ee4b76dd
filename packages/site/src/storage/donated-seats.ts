import type { Transaction } from 'kysely';
import type { SiteDatabase } from './schema.js';

/** Seats per item and seat, as licenses and donations write them: `{cad: {nodes: 4}}`. */
export type SeatShare = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** The donation states that hold seats away from this site's stations. */
export const RESERVING_STATES = ['pending', 'delivered'] as const;

/**
 * Seats of one pool given to neighbours: read inside the caller's transaction, so a lease and a
 * donation counted together never exceed the vendor's count.
 */
export async function donatedSeats(
  trx: Transaction<SiteDatabase>,
  pool: { readonly serial: string; readonly item: string; readonly seat: string },
  exceptDonationId?: string,
): Promise<number> {
  let query = trx
    .selectFrom('donations')
    .select('items')
    .where('serial', '=', pool.serial)
    .where('state', 'in', RESERVING_STATES);
  if (exceptDonationId !== undefined) query = query.where('id', '!=', exceptDonationId);
  const rows = await query.execute();
  return rows.reduce(
    (sum, row) => sum + ((JSON.parse(row.items) as SeatShare)[pool.item]?.[pool.seat] ?? 0),
    0,
  );
}

/** Live station leases of one pool. */
export async function leasedSeats(
  trx: Transaction<SiteDatabase>,
  pool: { readonly serial: string; readonly item: string; readonly seat: string },
  now: string,
): Promise<number> {
  const row = await trx
    .selectFrom('seat_leases')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('serial', '=', pool.serial)
    .where('item', '=', pool.item)
    .where('seat', '=', pool.seat)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
