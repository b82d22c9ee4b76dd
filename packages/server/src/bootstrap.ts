import type { ServerConfig } from './config.js';
import { openDatabase, type VendorDb } from './storage/database.js';
import { once } from './storage/server-claims.js';
import { createAdminToken, hasAdminToken } from './vendor/admin-tokens.js';

/**
 * The first admin token, made only once the server is listening: a first start that fails (a
 * port in use, say) must not spend the one showing of the token. Of several processes starting
 * together on one database, one shows it.
 */
export async function firstAdminToken(db: VendorDb, at: string): Promise<string | undefined> {
  if (await hasAdminToken(db)) return undefined;
  return once(db, 'first-admin-token', at, (trx) => createAdminToken(trx, 'bootstrap', at));
}

/** A new admin token written straight into the database: for an operator who lost theirs. */
export async function issueAdminToken(
  config: ServerConfig,
  name: string,
  at: Date = new Date(),
): Promise<string> {
  const db = await openDatabase(config.database);
  try {
    return await createAdminToken(db, name, at.toISOString());
  } finally {
    await db.destroy();
  }
}
