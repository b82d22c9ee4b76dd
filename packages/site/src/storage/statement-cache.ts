import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * better-sqlite3 behind Kysely, with prepared statements kept by their SQL text: Kysely prepares
 * every query anew, and preparing costs more than running the point queries of heartbeats. The
 * vendor server does the same; the site may not depend on it, hence this copy. Kysely runs one
 * query at a time on SQLite, so a statement is never in use twice at once.
 */
export function withStatementCache(database: Database, limit = 200): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        // Queries with generated IN-lists could grow the cache without bound.
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
