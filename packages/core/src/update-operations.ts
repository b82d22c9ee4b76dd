import { CONTENT_LIMITS, type ContainerContents, NAME_PATTERN } from './contents.js';
import { type KeywardError, keywardError, refuse } from './errors.js';
import { isPasswordHash } from './passwords.js';
import { err, ok, type Result } from './result.js';

/** What an update package can change in a license container. */
export type UpdateOperation =
  | { readonly op: 'set-expiry'; readonly expiresAt: string | null }
  | { readonly op: 'add-seats'; readonly item: string; readonly kind: string; readonly count: number }
  | { readonly op: 'set-seats'; readonly item: string; readonly kind: string; readonly count: number }
  | { readonly op: 'set-counter'; readonly name: string; readonly value: number }
  | { readonly op: 'increment-counter'; readonly name: string; readonly by: number }
  | { readonly op: 'decrement-counter'; readonly name: string; readonly by: number }
  | { readonly op: 'set-password'; readonly name: string; readonly hash: string }
  | { readonly op: 'write-memory'; readonly name: string; readonly data: string }
  | { readonly op: 'delete-memory'; readonly name: string }
  | { readonly op: 'set-verification'; readonly verification: 'off' | 'ongoing' };

export type OperationName = UpdateOperation['op'];

const invalid = (message: string) => keywardError('VALIDATION_FAILED', message);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isName = (value: unknown): value is string => typeof value === 'string' && NAME_PATTERN.test(value);
const isCount = (value: unknown, max: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;

function readOperation(value: unknown, index: number): Result<UpdateOperation> {
  const at = `Operation ${index + 1}`;
  if (!isRecord(value)) return err(invalid(`${at} is not an object.`));
  const { op } = value;
  const needName = (field: string) =>
    isName(value[field])
      ? undefined
      : invalid(`${at} (${String(op)}) needs a valid ${field}: lower-case letters, digits, - and _.`);
  const needCount = (field: string, max: number) =>
    isCount(value[field], max)
      ? undefined
      : invalid(`${at} (${String(op)}) needs ${field} as a whole number from 0 to ${max}.`);
  let problem: KeywardError | undefined;
  switch (op) {
    case 'set-expiry':
      if (
        value.expiresAt !== null &&
        (typeof value.expiresAt !== 'string' || Number.isNaN(Date.parse(value.expiresAt)))
      ) {
        problem = invalid(`${at} (set-expiry) needs expiresAt as a date, or null for never.`);
      }
      return problem
        ? err(problem)
        : ok({
            op,
            expiresAt: value.expiresAt === null ? null : new Date(value.expiresAt as string).toISOString(),
          });
    case 'add-seats':
    case 'set-seats':
      problem = needName('item') ?? needName('kind') ?? needCount('count', CONTENT_LIMITS.seats);
      return problem
        ? err(problem)
        : ok({ op, item: value.item as string, kind: value.kind as string, count: value.count as number });
    case 'set-counter':
      problem = needName('name') ?? needCount('value', CONTENT_LIMITS.counter);
      return problem ? err(problem) : ok({ op, name: value.name as string, value: value.value as number });
    case 'increment-counter':
    case 'decrement-counter':
      problem = needName('name') ?? needCount('by', CONTENT_LIMITS.counter);
      return problem ? err(problem) : ok({ op, name: value.name as string, by: value.by as number });
    case 'set-password':
      problem =
        needName('name') ??
        (typeof value.hash === 'string' && isPasswordHash(value.hash)
          ? undefined
          : invalid(`${at} (set-password) needs a password hash.`));
      return problem ? err(problem) : ok({ op, name: value.name as string, hash: value.hash as string });
    case 'write-memory': {
      problem = needName('name');
      const data = typeof value.data === 'string' ? Buffer.from(value.data, 'base64') : undefined;
      if (!problem && (data === undefined || data.toString('base64') !== value.data))
        problem = invalid(`${at} (write-memory) needs data in base64.`);
      if (!problem && data !== undefined && data.length > CONTENT_LIMITS.memoryObjectBytes) {
        problem = invalid(
          `${at} (write-memory): a memory object holds at most ${CONTENT_LIMITS.memoryObjectBytes} bytes, not ${data.length}.`,
        );
      }
      return problem ? err(problem) : ok({ op, name: value.name as string, data: value.data as string });
    }
    case 'delete-memory':
      problem = needName('name');
      return problem ? err(problem) : ok({ op, name: value.name as string });
    case 'set-verification':
      if (value.verification !== 'off' && value.verification !== 'ongoing') {
        return err(invalid(`${at} (set-verification) needs verification "off" or "ongoing".`));
      }
      return ok({ op, verification: value.verification });
    default:
      return err(invalid(`${at}: unknown operation "${String(op)}".`));
  }
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
