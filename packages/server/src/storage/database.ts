import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { keywardError } from '@keyward/core';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { DatabaseLocation } from '../config.js';
import { StartRefused } from '../start-refused.js';
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

/**
 * SQLite's quick check of every page and index (about 1.5 s on a million licenses): a damaged
 * page must stop the start, not answer "unknown serial" for a license that exists.
 */
function refuseDamaged(sqlite: SQLite.Database, file: string): void {
  let findings: string[];
  try {
    findings = (sqlite.pragma('quick_check(5)') as { quick_check: string }[]).map((row) => row.quick_check);
  } catch (error) {
    findings = [error instanceof Error ? error.message : String(error)];
  }
  if (findings.length === 1 && findings[0] === 'ok') return;
  sqlite.close();
  const found = findings.join('\n').split('\n').slice(0, 5).join('; ');
  throw new StartRefused(
    keywardError(
      'DATABASE_DAMAGED',
      `The database ${file} is damaged (${found}): restore it from a backup before starting.`,
    ),
  );
}

function openSqlite(file: string, verify: boolean): VendorDb {
  if (file !== ':memory:') keepToOwner(file);
  const sqlite = new SQLite(file);
  if (verify) refuseDamaged(sqlite, file);
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

/**
 * Opens the vendor database and brings its schema up to date (the migrator locks, so several
 * processes may start at once). `verify` checks an SQLite file for damage first.
 */
export async function openDatabase(
  location: DatabaseLocation,
  { verify = false }: { readonly verify?: boolean } = {},
): Promise<VendorDb> {
  const db =
    location.engine === 'sqlite' ? openSqlite(location.file, verify) : await openPostgres(location.url);
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
  return db;
}

/** Whether the database answers a trivial query now: readiness, as a load balancer asks it. */
export async function databaseAnswers(db: VendorDb): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
