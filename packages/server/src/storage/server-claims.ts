import type { Transaction } from 'kysely';
import type { VendorDb } from './database.js';
import type { VendorDatabase } from './schema.js';

/**
 * Runs a one-time task of the first start in a transaction that first claims its name: of several
 * processes starting together, the one whose insert wins does the task; the others wait for its
 * commit (the unique key) and then find it done. Returns what the task returned, or undefined.
 */
export async function once<T>(
  db: VendorDb,
  name: string,
  at: string,
  task: (trx: Transaction<VendorDatabase>) => Promise<T>,
): Promise<T | undefined> {
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('server_claims')
      .values({ name, claimed_at: at })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .executeTakeFirst();
    return claimed.numInsertedOrUpdatedRows === 1n ? task(trx) : undefined;
  });
}
