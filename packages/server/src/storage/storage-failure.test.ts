import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConcurrentChange, isStorageFailure } from './storage-failure.js';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('which errors are the database failing', () => {
  const cases: ReadonlyArray<readonly [what: string, error: unknown, failing: boolean]> = [
    ['SQLite busy', withCode('SQLITE_BUSY'), true],
    ['SQLite damaged page', withCode('SQLITE_CORRUPT'), true],
    ['SQLite I/O error', withCode('SQLITE_IOERR_SHORT_READ'), true],
    ['SQLite disk full', withCode('SQLITE_FULL'), true],
    ['SQLite not a database', withCode('SQLITE_NOTADB'), true],
    ['PostgreSQL connection failure', withCode('08006'), true],
    ['PostgreSQL too many connections', withCode('53300'), true],
    ['PostgreSQL shutting down', withCode('57P01'), true],
    ['connection refused', withCode('ECONNREFUSED'), true],
    ['connection reset', withCode('ECONNRESET'), true],
    ['pool connection terminated', new Error('Connection terminated unexpectedly'), true],
    ['SQLite constraint (a bug or a race, not an outage)', withCode('SQLITE_CONSTRAINT_UNIQUE'), false],
    ['PostgreSQL unique violation', withCode('23505'), false],
    ['PostgreSQL syntax error', withCode('42601'), false],
    ['a plain bug', new TypeError('x is undefined'), false],
    ['not an error', 'SQLITE_BUSY', false],
    ['nothing', undefined, false],
  ];
  for (const [what, error, failing] of cases) {
    it(`${what}: ${failing ? 'the database is unavailable' : 'not a database outage'}`, () => {
      assert.equal(isStorageFailure(error), failing);
    });
  }
});

describe('which errors are two changes made at the same moment', () => {
  const cases: ReadonlyArray<readonly [what: string, error: unknown, conflict: boolean]> = [
    ['PostgreSQL deadlock', withCode('40P01'), true],
    ['PostgreSQL serialization failure', withCode('40001'), true],
    ['PostgreSQL unique violation', withCode('23505'), false],
    ['PostgreSQL connection failure', withCode('08006'), false],
    ['SQLite busy (an outage: the lock was not released in time)', withCode('SQLITE_BUSY'), false],
    ['a plain bug', new TypeError('x is undefined'), false],
    ['nothing', undefined, false],
  ];
  for (const [what, error, conflict] of cases) {
    it(`${what}: ${conflict ? 'a conflict' : 'not a conflict'}`, () => {
      assert.equal(isConcurrentChange(error), conflict);
      if (conflict) assert.equal(isStorageFailure(error), false);
    });
  }
});
