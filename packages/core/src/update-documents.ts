import { type ContainerContents, contentsReader } from './contents.js';
import { readDocument } from './document-shape.js';
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

export function readContents(value: unknown): Result<ContainerContents> {
  return contentsReader.read(value);
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
