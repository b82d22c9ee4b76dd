import { createHash } from 'node:crypto';
import { documentReader } from './document-reader.js';
import type { VerificationMode } from './licensing.js';

/**
 * What a license container holds besides its state: licensed items with their seat counts
 * (e.g. `cad: { servers: 2, nodes: 10 }`), the expiry date, usage counters, application
 * passwords (as hashes), memory objects (small named blobs) and the verification mode.
 */
export interface ContainerContents {
  readonly items: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly expiresAt: string | null;
  /** Usage allowances: how many uses the vendor grants over the license's life. */
  readonly counters: Readonly<Record<string, number>>;
  /** Name -> scrypt hash (see `hashPassword`); never the password itself. */
  readonly passwords: Readonly<Record<string, string>>;
  /** Name -> data, base64. */
  readonly memory: Readonly<Record<string, string>>;
  readonly verification: Exclude<VerificationMode, 'frozen'>;
}

export const CONTENT_LIMITS = {
  /** Bytes of one memory object. */
  memoryObjectBytes: 4096,
  memoryObjects: 32,
  names: 64,
  nameLength: 64,
  seats: 1_000_000,
  counter: 1_000_000_000,
} as const;

export const contentsReader = documentReader<ContainerContents>('contents', 'key contents');

export const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;

/** What a license holds when issued: its policy's items and counters, its expiry. */
export function initialContents(
  policy: {
    readonly items: ContainerContents['items'];
    readonly counters: ContainerContents['counters'];
    readonly verification: ContainerContents['verification'];
  },
  expiresAt: string | null,
): ContainerContents {
  return { ...emptyContents(policy.verification), items: policy.items, counters: policy.counters, expiresAt };
}

export function emptyContents(
  verification: ContainerContents['verification'] = 'ongoing',
): ContainerContents {
  return { items: {}, expiresAt: null, counters: {}, passwords: {}, memory: {}, verification };
}

function sortedRecord<T>(record: Readonly<Record<string, T>>, map: (value: T) => unknown = (value) => value) {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, map(record[key] as T)]),
  );
}

/**
 * The contents in a canonical form. Counters are the vendor's allowances: what the application
 * consumes is the container's own record, reported apart (see `CounterConsumption`).
 */
export function vendorControlled(contents: ContainerContents) {
  return {
    items: sortedRecord(contents.items, (seats) => sortedRecord(seats)),
    expiresAt: contents.expiresAt,
    counters: sortedRecord(contents.counters),
    passwords: sortedRecord(contents.passwords),
    memory: sortedRecord(contents.memory),
    verification: contents.verification,
  };
}

/** Hash of the vendor-controlled contents: what the From check and every package compare. */
export function contentsHash(contents: ContainerContents): string {
  return createHash('sha256')
    .update(JSON.stringify(vendorControlled(contents)))
    .digest('hex');
}

/** Names what differs between the contents a container states and the vendor's record of them. */
export function contentsDifferences(stated: ContainerContents, recorded: ContainerContents): string[] {
  const a = vendorControlled(stated);
  const b = vendorControlled(recorded);
  const differences: string[] = [];
  const itemNames = new Set([...Object.keys(a.items), ...Object.keys(b.items)]);
  for (const item of [...itemNames].sort()) {
    const seatsA = (a.items[item] ?? {}) as Record<string, number>;
    const seatsB = (b.items[item] ?? {}) as Record<string, number>;
    for (const kind of [...new Set([...Object.keys(seatsA), ...Object.keys(seatsB)])].sort()) {
      if (seatsA[kind] !== seatsB[kind]) {
        differences.push(
          `${item}.${kind}: the key says ${seatsA[kind] ?? 'none'}, the vendor's record ${seatsB[kind] ?? 'none'}`,
        );
      }
    }
  }
  if (a.expiresAt !== b.expiresAt) {
    differences.push(
      `expiry: the key says ${a.expiresAt ?? 'never'}, the vendor's record ${b.expiresAt ?? 'never'}`,
    );
  }
  for (const [what, mapA, mapB] of [
    ['counter', a.counters, b.counters],
    ['password', a.passwords, b.passwords],
    ['memory object', a.memory, b.memory],
  ] as const) {
    for (const name of [...new Set([...Object.keys(mapA), ...Object.keys(mapB)])].sort()) {
      if (mapA[name] !== mapB[name]) differences.push(`${what} "${name}" differs`);
    }
  }
  if (a.verification !== b.verification) {
    differences.push(`verification: the key says ${a.verification}, the vendor's record ${b.verification}`);
  }
  return differences;
}
