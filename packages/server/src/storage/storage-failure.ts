/** SQLite's result codes for a database it cannot use right now: locked, damaged, unreadable, full. */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|CORRUPT|NOTADB|CANTOPEN|FULL|READONLY|PROTOCOL)/;
/** PostgreSQL's classes of the same: connection exceptions, insufficient resources, operator intervention. */
const POSTGRES_UNAVAILABLE = /^(08|53|57P)/;
const NETWORK_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

/**
 * Whether an error is the database failing (rather than a bug): the request is then answered
 * 503 `DATABASE_UNAVAILABLE`, which clients retry, and never anything that reads as an answer
 * about the license (a damaged page must not look like an unknown serial).
 */
export function isStorageFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string')
    return /Connection terminated|timeout exceeded when trying to connect/i.test(String(error));
  return SQLITE_UNAVAILABLE.test(code) || POSTGRES_UNAVAILABLE.test(code) || NETWORK_FAILURES.has(code);
}

/** PostgreSQL's serialization failure and deadlock: two transactions changed the same rows at once. */
const POSTGRES_CONFLICT = new Set(['40001', '40P01']);

/**
 * Whether an error is the database giving up one of two transactions that changed the same rows
 * at the same moment: the request is then answered 409 `CONFLICT`, and asking again succeeds.
 */
export function isConcurrentChange(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && POSTGRES_CONFLICT.has(code);
}
