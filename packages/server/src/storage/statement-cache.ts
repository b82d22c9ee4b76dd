import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * better-sqlite3 behind Kysely, with prepared statements kept by their SQL text. Kysely prepares
 * every query anew, and preparing costs more than running a point query; the hot paths (checks,
 * activations) run the same few statements over and over. Kysely runs one query at a time on
 * SQLite, so a statement is never in use twice at once.
 */
export function withStatementCache(database: Database, limit = 500): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        // Queries with generated IN-lists or literals could grow the cache without bound.
        if (statements.size >= limit) statements.clear();
        statements.set(sql, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
