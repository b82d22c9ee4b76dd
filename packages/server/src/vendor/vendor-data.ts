import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { keywardError } from '@keyward/core';
import { describeDatabase, type ServerConfig } from '../config.js';
import { StartRefused } from '../start-refused.js';
import { openDatabase, type VendorDb } from '../storage/database.js';
import { ensureVendorKeys, hasVendorKeys } from './keyring.js';
import { loadMasterSecret, type MasterSecret } from './master-secret.js';

export interface VendorData {
  readonly db: VendorDb;
  readonly master: MasterSecret;
  /** The vendor keys this start created: only on the first start. */
  readonly createdKeys: string[];
}

/** 0700 when this process owns the directory; a directory another user owns keeps the mode they chose. */
function keepDirectoryToOwner(dir: string): void {
  try {
    chmodSync(dir, 0o700);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
}

function databaseMissing(config: ServerConfig, masterFile: string, what: string): StartRefused {
  return new StartRefused(
    keywardError(
      'DATABASE_MISSING',
      `${masterFile} is there, but the database ${describeDatabase(config.database)} ${what}: ` +
        'the vendor keys that master key unlocks, and every license, are in that database. ' +
        'Restore the database from a backup, or move master.key away to start as a new vendor.',
    ),
  );
}

/**
 * Opens the vendor's data for a start: the data directory kept to its owner, the database, the
 * master key and the vendor keys, made on the first start only. A master key file left by an
 * earlier start beside a database that is gone or empty is refused rather than taken for a first
 * start: new vendor keys would make every customer's next check fail. With `verify`, a damaged
 * SQLite file is refused too (the cluster's primary verifies it once for its workers).
 */
export async function openVendorData(
  config: ServerConfig,
  at: string,
  { verify }: { readonly verify: boolean },
): Promise<VendorData> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  keepDirectoryToOwner(config.dataDir);
  const masterFile = join(config.dataDir, 'master.key');
  const earlierStart = config.masterKey === undefined && existsSync(masterFile);
  const { database } = config;
  if (earlierStart && database.engine === 'sqlite' && database.file !== ':memory:') {
    const size = existsSync(database.file) ? statSync(database.file).size : undefined;
    if (size === undefined) throw databaseMissing(config, masterFile, 'does not exist');
    if (size === 0) throw databaseMissing(config, masterFile, 'is empty');
  }
  const db = await openDatabase(database, { verify });
  try {
    if (earlierStart && !(await hasVendorKeys(db)))
      throw databaseMissing(config, masterFile, 'holds no vendor keys');
    const master = loadMasterSecret(config.masterKey, config.dataDir);
    const createdKeys = await ensureVendorKeys(db, master.secret, at);
    return { db, master, createdKeys };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
