import type { ServerConfig } from './config.js';
import { openDatabase, type VendorDb } from './storage/database.js';
import { once } from './storage/server-claims.js';
import { TokenStore } from './storage/token-store.js';

/**
 * The first admin token, made only once the server is listening: a first start that fails (a
 * port in use, say) must not spend the one showing of the token. Of several processes starting
 * together on one database, one shows it.
 */
export async function firstAdminToken(db: VendorDb, at: string): Promise<string | undefined> {
  const tokens = new TokenStore(db);
  if (await tokens.hasAny()) return undefined;
  const first = { name: 'bootstrap', scope: 'admin', expiresAt: null, dealerId: null, at } as const;
  return once(db, 'first-admin-token', at, async (trx) => (await tokens.create(first, trx)).token);
}

/** A new admin token written straight into the database: for an operator who lost theirs. */
export async function issueAdminToken(
  config: ServerConfig,
  name: string,
  at: Date = new Date(),
): Promise<string> {
  const db = await openDatabase(config.database);
  try {
    const created = await new TokenStore(db).create({
      name,
      scope: 'admin',
      expiresAt: null,
      dealerId: null,
      at: at.toISOString(),
    });
    return created.token;
  } finally {
    await db.destroy();
  }
}
