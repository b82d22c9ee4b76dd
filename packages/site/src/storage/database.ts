import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from './migrations.js';
import type { SiteDatabase } from './schema.js';
import { withStatementCache } from './statement-cache.js';

export type SiteDb = Kysely<SiteDatabase>;

/** Opens the site database (SQLite, as the vendor server's embedded default) and migrates it. */
export async function openSiteDatabase(file: string): Promise<SiteDb> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // WAL with NORMAL sync survives a process crash; a power loss may only drop the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<SiteDatabase>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  // The site's migrations were numbered while written side by side (0003 neighbours landed after
  // 0004 renewals): each is independent of the other, so a database that has one runs the other.
  const { error } = await new Migrator({
    db,
    provider: migrationProvider,
    allowUnorderedMigrations: true,
  }).migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
  return db;
}
