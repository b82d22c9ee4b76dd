import { randomBytes } from 'node:crypto';
import type { ContainerContents } from './contents.js';
import { toBase64Url } from './crypto/encoding.js';
import { type DocumentOf, readDocument } from './document-shape.js';
import { type KeywardError, keywardError, refuse } from './errors.js';
import { VERIFICATION_MODES, type VerificationMode } from './licensing.js';
import { ok, type Result } from './result.js';
import { readContents } from './update-documents.js';

/**
 * The documents exchanged between a license container and the vendor. Each travels in a signed
 * envelope whose `typ` is the key of `DOCUMENT_TYPES`.
 */
export const DOCUMENT_TYPES = {
  /** Container -> vendor: activate or check this serial on this computer. */
  licenseRequest: 'license-request',
  /** Vendor -> container: the license granted to this computer, with the next online check. */
  licenseGrant: 'license-grant',
  /** Container -> vendor: release the serial from this computer (transfer). */
  deactivationRequest: 'deactivation-request',
  /** Vendor -> container: the serial is released. */
  deactivationReceipt: 'deactivation-receipt',
} as const;

/** What every request a container signs says about itself. */
const containerRequestFields = {
  serial: 'string',
  product: 'string',
  containerKey: 'string',
  fingerprintHash: 'string',
  nonce: 'string',
  issuedAt: 'string',
} as const;

const licenseRequestShape = { ...containerRequestFields, containerBoxKey: 'string' } as const;
export type LicenseRequest = DocumentOf<typeof licenseRequestShape>;

const licenseGrantShape = {
  licenseId: 'string',
  serial: 'string',
  product: 'string',
  bindingId: 'string',
  containerKey: 'string',
  fingerprintHash: 'string',
  verification: 'string',
  checkIntervalDays: 'integer',
  nextCheckAt: 'string|null',
  expiresAt: 'string|null',
  transfersUsed: 'integer',
  maxTransfers: 'integer|null',
  issuedAt: 'string',
  nonce: 'string',
  sequence: 'integer',
} as const;
/**
 * The license granted to one container. It carries the vendor's record of the contents and their
 * update step, which a container takes on when it is activated.
 */
export type LicenseGrant = Omit<DocumentOf<typeof licenseGrantShape>, 'verification'> & {
  readonly verification: VerificationMode;
  readonly contents: ContainerContents;
};

const deactivationRequestShape = { ...containerRequestFields, bindingId: 'string' } as const;
export type DeactivationRequest = DocumentOf<typeof deactivationRequestShape>;

const deactivationReceiptShape = {
  serial: 'string',
  bindingId: 'string',
  transfersUsed: 'integer',
  maxTransfers: 'integer|null',
  deactivatedAt: 'string',
  nonce: 'string',
} as const;
export type DeactivationReceipt = DocumentOf<typeof deactivationReceiptShape>;

export function readLicenseRequest(value: unknown): Result<LicenseRequest> {
  return readDocument(value, licenseRequestShape, 'license request');
}

export function readLicenseGrant(value: unknown): Result<LicenseGrant> {
  const read = readDocument(value, licenseGrantShape, 'license grant');
  if (!read.ok) return read;
  const verification = VERIFICATION_MODES.find((mode) => mode === read.value.verification);
  if (verification === undefined)
    return refuse('VALIDATION_FAILED', 'The license grant names an unknown verification mode.');
  const contents = readContents((value as Record<string, unknown>).contents);
  if (!contents.ok) return contents;
  return ok({ ...read.value, verification, contents: contents.value });
}

export function readDeactivationRequest(value: unknown): Result<DeactivationRequest> {
  return readDocument(value, deactivationRequestShape, 'deactivation request');
}

export function readDeactivationReceipt(value: unknown): Result<DeactivationReceipt> {
  return readDocument(value, deactivationReceiptShape, 'deactivation receipt');
}

/** A value chosen by the asker and echoed in the signed answer, so a recorded answer cannot be replayed. */
export function newNonce(): string {
  return toBase64Url(randomBytes(16));
}

/** How far a signed request's date may be from the server's clock. */
export const REQUEST_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

export function requestDateRefusal(issuedAt: string, now: Date): KeywardError | undefined {
  const time = Date.parse(issuedAt);
  if (Number.isNaN(time) || Math.abs(time - now.getTime()) > REQUEST_CLOCK_SKEW_MS)
    return keywardError('REQUEST_STALE');
  return undefined;
}
