import type { VendorDb } from './storage/database.js';
import { createAdminToken, hasAdminToken } from './vendor/admin-tokens.js';
import { ensureVendorKeys } from './vendor/keyring.js';

export interface BootstrapReport {
  /** Key ids created by this start (first run, or a key kind missing). */
  readonly createdKeys: string[];
  /** The first admin token, shown once: only its hash is stored. */
  readonly adminToken: string | undefined;
}

/** First run: the vendor's signing and encryption keys, and an admin token. Later runs change nothing. */
export async function bootstrap(
  db: VendorDb,
  masterSecret: Uint8Array,
  at: string,
): Promise<BootstrapReport> {
  const createdKeys = await ensureVendorKeys(db, masterSecret, at);
  const adminToken = (await hasAdminToken(db)) ? undefined : await createAdminToken(db, 'bootstrap', at);
  return { createdKeys, adminToken };
}
