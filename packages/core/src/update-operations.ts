import type { Static } from 'typebox';
import { CONTENT_LIMITS, type ContainerContents } from './contents.js';
import { documentReader } from './document-reader.js';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';
import type { UpdateOperationSchema } from './schemas/updates.js';

/** What an update package can change in a license container. */
export type UpdateOperation = Static<typeof UpdateOperationSchema>;

export type OperationName = UpdateOperation['op'];

const OPERATION_NAMES: readonly OperationName[] = [
  'set-expiry',
  'add-seats',
  'set-seats',
  'set-counter',
  'increment-counter',
  'decrement-counter',
  'set-password',
  'write-memory',
  'delete-memory',
  'set-verification',
];

const readers = new Map<string, (value: unknown) => Result<UpdateOperation>>(
  OPERATION_NAMES.map((op) => [
    op,
    documentReader<UpdateOperation>(`operation:${op}`, `operation (${op})`).read,
  ]),
);

function readOperation(value: unknown, index: number): Result<UpdateOperation> {
  const at = `Operation ${index + 1}`;
  const op = (value as { op?: unknown } | null)?.op;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return refuse('VALIDATION_FAILED', `${at} is not an object.`);
  const reader = typeof op === 'string' ? readers.get(op) : undefined;
  if (reader === undefined) return refuse('VALIDATION_FAILED', `${at}: unknown operation "${String(op)}".`);
  const read = reader(value);
  if (!read.ok) return refuse('VALIDATION_FAILED', `${at}: ${read.error.message}`);
  const operation = read.value;
  if (operation.op === 'set-expiry' && operation.expiresAt !== null) {
    const time = Date.parse(operation.expiresAt);
    if (Number.isNaN(time))
      return refuse('VALIDATION_FAILED', `${at} (set-expiry) needs expiresAt as a date, or null for never.`);
    return ok({ ...operation, expiresAt: new Date(time).toISOString() });
  }
  if (operation.op === 'write-memory') {
    const data = Buffer.from(operation.data, 'base64');
    if (data.toString('base64') !== operation.data)
      return refuse('VALIDATION_FAILED', `${at} (write-memory) needs data in base64.`);
    if (data.length > CONTENT_LIMITS.memoryObjectBytes) {
      return refuse(
        'VALIDATION_FAILED',
        `${at} (write-memory): a memory object holds at most ${CONTENT_LIMITS.memoryObjectBytes} bytes, not ${data.length}.`,
      );
    }
  }
  return ok(operation);
}

/** Reads a list of operations from JSON (an API body, a package), refusing anything malformed. */
export function readOperations(value: unknown): Result<UpdateOperation[]> {
  if (!Array.isArray(value) || value.length === 0)
    return refuse('VALIDATION_FAILED', 'An update needs at least one operation.');
  if (value.length > 100) return refuse('VALIDATION_FAILED', 'An update holds at most 100 operations.');
  const operations: UpdateOperation[] = [];
  for (const [index, entry] of value.entries()) {
    const operation = readOperation(entry, index);
    if (!operation.ok) return operation;
    operations.push(operation.value);
  }
  return ok(operations);
}

function withCount(record: Readonly<Record<string, number>>, name: string, count: number) {
  return { ...record, [name]: count };
}

/**
 * Applies operations to contents: the same function on the vendor (to compute the result the
 * package promises) and in the container (to produce it). Refuses, changing nothing, when an
 * operation cannot apply (a counter below zero, a name that is not there, a limit passed).
 */
export function applyOperations(
  contents: ContainerContents,
  operations: readonly UpdateOperation[],
): Result<ContainerContents> {
  let next = contents;
  for (const operation of operations) {
    switch (operation.op) {
      case 'set-expiry':
        next = { ...next, expiresAt: operation.expiresAt };
        break;
      case 'add-seats':
      case 'set-seats': {
        const seats = next.items[operation.item] ?? {};
        const count =
          operation.op === 'set-seats' ? operation.count : (seats[operation.kind] ?? 0) + operation.count;
        if (count > CONTENT_LIMITS.seats)
          return refuse(
            'VALIDATION_FAILED',
            `${operation.item}.${operation.kind} would pass ${CONTENT_LIMITS.seats} seats.`,
          );
        next = {
          ...next,
          items: { ...next.items, [operation.item]: withCount(seats, operation.kind, count) },
        };
        break;
      }
      case 'set-counter':
        next = { ...next, counters: withCount(next.counters, operation.name, operation.value) };
        break;
      case 'increment-counter':
      case 'decrement-counter': {
        const current = next.counters[operation.name];
        if (current === undefined)
          return refuse('NAME_NOT_FOUND', `The key has no counter "${operation.name}".`);
        const value = operation.op === 'increment-counter' ? current + operation.by : current - operation.by;
        if (value < 0)
          return refuse(
            'COUNTER_EXHAUSTED',
            `Counter "${operation.name}" holds ${current}; it cannot go down by ${operation.by}.`,
          );
        if (value > CONTENT_LIMITS.counter)
          return refuse(
            'VALIDATION_FAILED',
            `Counter "${operation.name}" would pass ${CONTENT_LIMITS.counter}.`,
          );
        next = { ...next, counters: withCount(next.counters, operation.name, value) };
        break;
      }
      case 'set-password':
        next = { ...next, passwords: { ...next.passwords, [operation.name]: operation.hash } };
        break;
      case 'write-memory':
        if (
          !(operation.name in next.memory) &&
          Object.keys(next.memory).length >= CONTENT_LIMITS.memoryObjects
        ) {
          return refuse(
            'VALIDATION_FAILED',
            `A key holds at most ${CONTENT_LIMITS.memoryObjects} memory objects.`,
          );
        }
        next = { ...next, memory: { ...next.memory, [operation.name]: operation.data } };
        break;
      case 'delete-memory': {
        if (!(operation.name in next.memory))
          return refuse('NAME_NOT_FOUND', `The key has no memory object "${operation.name}".`);
        const { [operation.name]: _removed, ...memory } = next.memory;
        next = { ...next, memory };
        break;
      }
      case 'set-verification':
        next = { ...next, verification: operation.verification };
        break;
    }
  }
  return ok(next);
}
