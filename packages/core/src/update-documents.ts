import { type Static, Type } from 'typebox';
import { type ContainerContents, ContentsSchema, contentsReader } from './contents.js';
import { ok, type Result } from './result.js';
import { documentReader, Instant, Nonce, PublicKey32, Sha256Hex, Step } from './schema.js';
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

const UpdateRequestSchema = Type.Object(
  {
    serial: Type.String({ minLength: 1, maxLength: 64 }),
    product: Type.String({ minLength: 1, maxLength: 64 }),
    containerKey: PublicKey32,
    containerBoxKey: PublicKey32,
    fingerprintHash: Sha256Hex,
    sequence: Step,
    contents: ContentsSchema,
    nonce: Nonce,
    issuedAt: Instant,
  },
  { additionalProperties: false },
);
/** The container's state as it tells the vendor: signed by the container, sealed to the vendor. */
export type UpdateRequest = Static<typeof UpdateRequestSchema>;

const UpdatePackageSchema = Type.Object(
  {
    packageId: Type.String({ minLength: 1, maxLength: 64 }),
    serial: Type.String({ minLength: 1, maxLength: 64 }),
    product: Type.String({ minLength: 1, maxLength: 64 }),
    containerKey: PublicKey32,
    fromSequence: Step,
    toSequence: Step,
    operations: Type.Array(Type.Unknown(), { maxItems: 100 }),
    /** The contents once applied: a container holding this package needs none before it. */
    contents: ContentsSchema,
    /** `contentsHash` of `contents`: the container checks the operations get there. */
    resultHash: Sha256Hex,
    orderRef: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
    issuedAt: Instant,
  },
  { additionalProperties: false },
);
/** One update: signed by the vendor, sealed to the container. */
export type UpdatePackage = Omit<Static<typeof UpdatePackageSchema>, 'operations'> & {
  readonly operations: readonly UpdateOperation[];
};

const updateRequestReader = documentReader(UpdateRequestSchema, 'update request');
const updatePackageReader = documentReader(UpdatePackageSchema, 'update package');

export function readContents(value: unknown): Result<ContainerContents> {
  return contentsReader.read(value);
}

export function readUpdateRequest(value: unknown): Result<UpdateRequest> {
  return updateRequestReader.read(value);
}

export function readUpdatePackage(value: unknown): Result<UpdatePackage> {
  const read = updatePackageReader.read(value);
  if (!read.ok) return read;
  const operations = readOperations(read.value.operations);
  if (!operations.ok) return operations;
  return ok({ ...read.value, operations: operations.value });
}
