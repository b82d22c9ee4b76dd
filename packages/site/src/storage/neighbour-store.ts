import type { SiteDb } from './database.js';
import type { NeighboursTable } from './schema.js';

export type NeighbourRole = 'child' | 'parent';

/** A neighbour site server: a child this site donates seats to, or a parent it takes them from. */
export interface NeighbourRecord {
  readonly siteId: string;
  readonly name: string;
  /** Where a child is reached; a parent pushes to this site and needs none. */
  readonly url: string | null;
  readonly role: NeighbourRole;
  /** The site protocol it last said it speaks; null before the first contact. */
  readonly protocol: number | null;
  readonly addedAt: string;
  readonly lastContactAt: string | null;
  readonly lastError: string | null;
}

function toRecord(row: NeighboursTable): NeighbourRecord {
  return {
    siteId: row.site_id,
    name: row.name,
    url: row.url,
    role: row.role as NeighbourRole,
    protocol: row.protocol,
    addedAt: row.added_at,
    lastContactAt: row.last_contact_at,
    lastError: row.last_error,
  };
}

export class NeighbourStore {
  constructor(private readonly db: SiteDb) {}

  /** Adds unless the site id is known; false when it is. */
  async add(neighbour: NeighbourRecord): Promise<boolean> {
    const result = await this.db
      .insertInto('neighbours')
      .values({
        site_id: neighbour.siteId,
        name: neighbour.name,
        url: neighbour.url,
        role: neighbour.role,
        protocol: neighbour.protocol,
        added_at: neighbour.addedAt,
        last_contact_at: neighbour.lastContactAt,
        last_error: neighbour.lastError,
      })
      .onConflict((conflict) => conflict.column('site_id').doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async find(siteId: string): Promise<NeighbourRecord | undefined> {
    const row = await this.db
      .selectFrom('neighbours')
      .selectAll()
      .where('site_id', '=', siteId)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async list(): Promise<NeighbourRecord[]> {
    return (await this.db.selectFrom('neighbours').selectAll().orderBy('added_at').execute()).map(toRecord);
  }

  /** A contact that worked: the protocol the neighbour speaks, and no error. */
  async contacted(siteId: string, protocol: number | undefined, at: string): Promise<void> {
    await this.db
      .updateTable('neighbours')
      .set({ last_contact_at: at, last_error: null, ...(protocol === undefined ? {} : { protocol }) })
      .where('site_id', '=', siteId)
      .execute();
  }

  async failed(siteId: string, error: string): Promise<void> {
    await this.db
      .updateTable('neighbours')
      .set({ last_error: error })
      .where('site_id', '=', siteId)
      .execute();
  }

  /** Removes a neighbour and, with it, the donations made to it. */
  /** The keys whose seats a child holds, or may hold (delivered, or sent without a receipt yet). */
  async seatsHeldBy(siteId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('donations')
      .select('serial')
      .where('neighbour_site_id', '=', siteId)
      .where('state', 'in', ['pending', 'delivered'])
      .orderBy('serial')
      .execute();
    return rows.map((row) => row.serial);
  }

  async remove(siteId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('neighbours').where('site_id', '=', siteId).executeTakeFirst();
    return result.numDeletedRows === 1n;
  }
}
