import type { Static } from 'typebox';
import { type ContainerContents, contentsReader } from './contents.js';
import { documentReader } from './document-reader.js';
import type { DocumentKind } from './documents.js';
import { ok, type Result } from './result.js';
import type { UpdatePackageSchema, UpdateRequestSchema } from './schemas/updates.js';
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
export type UpdateRequest = Static<typeof UpdateRequestSchema>;

/** One update: signed by the vendor, sealed to the container. */
export type UpdatePackage = Omit<Static<typeof UpdatePackageSchema>, 'operations'> & {
  readonly operations: readonly UpdateOperation[];
};

const updateRequestReader = documentReader<UpdateRequest>('updateRequest', 'update request');
const updatePackageReader = documentReader<Static<typeof UpdatePackageSchema>>(
  'updatePackage',
  'update package',
);

export function readContents(value: unknown): Result<ContainerContents> {
  return contentsReader.read(value);
}

export function readUpdateRequest(value: unknown): Result<UpdateRequest> {
  return updateRequestReader.read(value);
}

/** The update request as a signed document kind, as the vendor reads it from a container. */
export const UPDATE_REQUEST_KIND: DocumentKind<UpdateRequest> = {
  typ: UPDATE_DOCUMENT_TYPES.updateRequest,
  reader: updateRequestReader,
};

export function readUpdatePackage(value: unknown): Result<UpdatePackage> {
  const read = updatePackageReader.read(value);
  if (!read.ok) return read;
  const operations = readOperations(read.value.operations);
  if (!operations.ok) return operations;
  return ok({ ...read.value, operations: operations.value });
}
