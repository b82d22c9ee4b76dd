import { CONTENT_LIMITS, type ContainerContents, NAME_PATTERN } from './contents.js';
import { readDocument } from './document-shape.js';
import { refuse } from './errors.js';
import { isPasswordHash } from './passwords.js';
import { ok, type Result } from './result.js';
import { readOperations, type UpdateOperation } from './update-operations.js';

export const UPDATE_DOCUMENT_TYPES = {
  /** Container -> vendor: the Key Information Data File (or Transaction Key). */
  updateRequest: 'update-request',
  /** Vendor -> container: the Key Upgrade file (or Activation Code). */
  updatePackage: 'update-package',
} as const;

/** Armor labels of the two files a customer and a vendor exchange. */
export const REQUEST_FILE_LABEL = 'LICENSE REQUEST';
export const UPDATE_FILE_LABEL = 'LICENSE UPDATE';

/** The container's state as it tells the vendor: signed by the container, sealed to the vendor. */
export interface UpdateRequest {
  readonly serial: string;
  readonly product: string;
  readonly containerKey: string;
  readonly containerBoxKey: string;
  readonly fingerprintHash: string;
  readonly sequence: number;
  readonly contents: ContainerContents;
  readonly nonce: string;
  readonly issuedAt: string;
}

/** One update: signed by the vendor, sealed to the container. */
export interface UpdatePackage {
  readonly packageId: string;
  readonly serial: string;
  readonly product: string;
  readonly containerKey: string;
  readonly fromSequence: number;
  readonly toSequence: number;
  readonly operations: readonly UpdateOperation[];
  /** `contentsHash` of the contents once applied: the container checks it gets there. */
  readonly resultHash: string;
  readonly orderRef: string | null;
  readonly issuedAt: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function namedRecord(value: unknown, accept: (entry: unknown) => boolean): boolean {
  if (!isRecord(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length <= CONTENT_LIMITS.names &&
    entries.every(([name, entry]) => NAME_PATTERN.test(name) && accept(entry))
  );
}

const isCount = (max: number) => (value: unknown) =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max;

export function readContents(value: unknown): Result<ContainerContents> {
  const bad = (field: string) => refuse('VALIDATION_FAILED', `The key contents have no valid ${field}.`);
  if (!isRecord(value)) return bad('contents');
  if (!namedRecord(value.items, (seats) => namedRecord(seats, isCount(CONTENT_LIMITS.seats))))
    return bad('items');
  if (
    value.expiresAt !== null &&
    (typeof value.expiresAt !== 'string' || Number.isNaN(Date.parse(value.expiresAt)))
  ) {
    return bad('expiry');
  }
  if (!namedRecord(value.counters, isCount(CONTENT_LIMITS.counter))) return bad('counters');
  if (!namedRecord(value.passwords, (hash) => typeof hash === 'string' && isPasswordHash(hash)))
    return bad('passwords');
  if (
    !namedRecord(
      value.memory,
      (data) =>
        typeof data === 'string' && Buffer.from(data, 'base64').length <= CONTENT_LIMITS.memoryObjectBytes,
    )
  ) {
    return bad('memory objects');
  }
  if (value.verification !== 'off' && value.verification !== 'ongoing') return bad('verification mode');
  return ok({
    items: value.items as ContainerContents['items'],
    expiresAt: value.expiresAt as string | null,
    counters: value.counters as ContainerContents['counters'],
    passwords: value.passwords as ContainerContents['passwords'],
    memory: value.memory as ContainerContents['memory'],
    verification: value.verification,
  });
}

export function readUpdateRequest(value: unknown): Result<UpdateRequest> {
  const flat = readDocument(
    value,
    {
      serial: 'string',
      product: 'string',
      containerKey: 'string',
      containerBoxKey: 'string',
      fingerprintHash: 'string',
      sequence: 'integer',
      nonce: 'string',
      issuedAt: 'string',
    },
    'update request',
  );
  if (!flat.ok) return flat;
  const contents = readContents((value as Record<string, unknown>).contents);
  if (!contents.ok) return contents;
  return ok({ ...flat.value, contents: contents.value });
}

export function readUpdatePackage(value: unknown): Result<UpdatePackage> {
  const flat = readDocument(
    value,
    {
      packageId: 'string',
      serial: 'string',
      product: 'string',
      containerKey: 'string',
      fromSequence: 'integer',
      toSequence: 'integer',
      resultHash: 'string',
      orderRef: 'string|null',
      issuedAt: 'string',
    },
    'update package',
  );
  if (!flat.ok) return flat;
  const operations = readOperations((value as Record<string, unknown>).operations);
  if (!operations.ok) return operations;
  return ok({ ...flat.value, operations: operations.value });
}
