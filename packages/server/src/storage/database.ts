import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import type { DatabaseLocation } from '../config.js';
import { migrationProvider } from './migrations.js';
import type { VendorDatabase } from './schema.js';
import { withStatementCache } from './statement-cache.js';

export type VendorDb = Kysely<VendorDatabase>;

/**
 * The database file and its WAL and shared-memory files hold every serial, binding and memory
 * object: readable by their owner only. SQLite gives the files it creates the database file's
 * mode, so the database file is made (or set) 0600 before it opens; files left by an earlier
 * version are set too.
 */
function keepToOwner(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
}

function openSqlite(file: string): VendorDb {
  if (file !== ':memory:') keepToOwner(file);
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // WAL with NORMAL sync survives a process crash; a power loss may only drop the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<VendorDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

/** PostgreSQL, the path for several server processes sharing one database; loaded only when used, to keep cold starts short. */
async function openPostgres(url: string): Promise<VendorDb> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection the server drops (a restart, a failover) is replaced at its next use; the
  // pool reports it as an event, which must not end the process.
  pool.on('error', () => undefined);
  return new Kysely<VendorDatabase>({ dialect: new PostgresDialect({ pool }) });
}

/** Opens the vendor database and brings its schema up to date (the migrator locks, so several processes may start at once). */
export async function openDatabase(location: DatabaseLocation): Promise<VendorDb> {
  const db = location.engine === 'sqlite' ? openSqlite(location.file) : await openPostgres(location.url);
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
  return db;
}
