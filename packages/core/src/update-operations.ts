import { type Static, type TSchema, Type } from 'typebox';
import { CONTENT_LIMITS, type ContainerContents, PasswordHash } from './contents.js';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';
import { documentReader, Name } from './schema.js';

const Seats = Type.Integer({ minimum: 0, maximum: CONTENT_LIMITS.seats });
const CounterValue = Type.Integer({ minimum: 0, maximum: CONTENT_LIMITS.counter });
const operation = <O extends string, P extends Record<string, TSchema>>(op: O, properties: P) =>
  Type.Object({ op: Type.Literal(op), ...properties }, { additionalProperties: false });

/** One schema per operation: the validator, the static type and the OpenAPI entry. */
const OPERATION_SCHEMAS = {
  'set-expiry': operation('set-expiry', {
    expiresAt: Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Null()]),
  }),
  'add-seats': operation('add-seats', { item: Name, kind: Name, count: Seats }),
  'set-seats': operation('set-seats', { item: Name, kind: Name, count: Seats }),
  'set-counter': operation('set-counter', { name: Name, value: CounterValue }),
  'increment-counter': operation('increment-counter', { name: Name, by: CounterValue }),
  'decrement-counter': operation('decrement-counter', { name: Name, by: CounterValue }),
  'set-password': operation('set-password', { name: Name, hash: PasswordHash }),
  'write-memory': operation('write-memory', {
    name: Name,
    data: Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', maxLength: 8192 }),
  }),
  'delete-memory': operation('delete-memory', { name: Name }),
  'set-verification': operation('set-verification', {
    verification: Type.Union([Type.Literal('off'), Type.Literal('ongoing')]),
  }),
} as const;

const S = OPERATION_SCHEMAS;
export const UpdateOperationSchema = Type.Union([
  S['set-expiry'],
  S['add-seats'],
  S['set-seats'],
  S['set-counter'],
  S['increment-counter'],
  S['decrement-counter'],
  S['set-password'],
  S['write-memory'],
  S['delete-memory'],
  S['set-verification'],
]);

/** What an update package can change in a license container. */
export type UpdateOperation = Static<typeof UpdateOperationSchema>;

export type OperationName = UpdateOperation['op'];

const readers = new Map<string, (value: unknown) => Result<unknown>>(
  Object.entries(OPERATION_SCHEMAS).map(([op, schema]) => [
    op,
    documentReader(schema, `operation (${op})`).read,
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
  const operation = read.value as UpdateOperation;
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
