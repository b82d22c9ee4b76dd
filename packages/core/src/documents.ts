import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import type { Static } from 'typebox';
import { toBase64Url } from './crypto/encoding.js';
import { openSignedDocument } from './crypto/signed-envelope.js';
import { type DocumentReader, documentReader } from './document-reader.js';
import { type KeywardError, keywardError } from './errors.js';
import { ok, type Result } from './result.js';
import type {
  DeactivationReceiptSchema,
  DeactivationRequestSchema,
  LicenseGrantSchema,
  LicenseRefusalSchema,
  LicenseRequestSchema,
} from './schemas/documents.js';

/**
 * The documents exchanged between a license container and the vendor. Each travels in a signed
 * envelope whose `typ` is the value in `DOCUMENT_TYPES`.
 */
export const DOCUMENT_TYPES = {
  /** Container -> vendor: activate or check this serial on this computer. */
  licenseRequest: 'license-request',
  /** Vendor -> container: the license granted to this computer, with every term the application acts on. */
  licenseGrant: 'license-grant',
  /** Vendor -> container: why the vendor refused a request, over the asker's nonce. */
  licenseRefusal: 'license-refusal',
  /** Container -> vendor: release the serial from this computer (transfer). */
  deactivationRequest: 'deactivation-request',
  /** Vendor -> container: the serial is released. */
  deactivationReceipt: 'deactivation-receipt',
} as const;

export type LicenseRequest = Static<typeof LicenseRequestSchema>;
/**
 * The license granted to one container: every term the application acts on, signed by the
 * vendor. The binding (container keys and fingerprint) says which container may use it.
 */
export type LicenseGrant = Static<typeof LicenseGrantSchema>;
export type LicenseRefusal = Static<typeof LicenseRefusalSchema>;
export type DeactivationRequest = Static<typeof DeactivationRequestSchema>;
export type DeactivationReceipt = Static<typeof DeactivationReceiptSchema>;

/** A signed document type: the envelope's `typ` and the reader of its payload. */
export interface DocumentKind<T> {
  readonly typ: string;
  readonly reader: DocumentReader<T>;
}

export const DOCUMENTS = {
  licenseRequest: {
    typ: DOCUMENT_TYPES.licenseRequest,
    reader: documentReader<LicenseRequest>('licenseRequest', 'license request'),
  },
  licenseGrant: {
    typ: DOCUMENT_TYPES.licenseGrant,
    reader: documentReader<LicenseGrant>('licenseGrant', 'license grant'),
  },
  licenseRefusal: {
    typ: DOCUMENT_TYPES.licenseRefusal,
    reader: documentReader<LicenseRefusal>('licenseRefusal', 'license refusal'),
  },
  deactivationRequest: {
    typ: DOCUMENT_TYPES.deactivationRequest,
    reader: documentReader<DeactivationRequest>('deactivationRequest', 'deactivation request'),
  },
  deactivationReceipt: {
    typ: DOCUMENT_TYPES.deactivationReceipt,
    reader: documentReader<DeactivationReceipt>('deactivationReceipt', 'deactivation receipt'),
  },
} as const;

declare const verifiedBrand: unique symbol;
/**
 * A document whose signature was checked. Only `openDocument` makes one (and `readUnlockKey`, the
 * grant an Unlock Key code stands for), so a service that takes `Verified<T>` cannot be handed a
 * document nobody verified.
 */
export type Verified<T> = T & { readonly [verifiedBrand]: true };

/** Verifies an envelope of this kind with the key its `kid` names, then checks the payload's shape. */
export function openDocument<T>(
  envelope: unknown,
  kind: DocumentKind<T>,
  keyFor: (kid: string) => KeyObject | undefined,
): Result<Verified<T>> {
  const opened = openSignedDocument(envelope, kind.typ, keyFor);
  if (!opened.ok) return opened;
  const read = kind.reader.read(opened.value);
  return read.ok ? ok(read.value as Verified<T>) : read;
}

/** A value chosen by the asker and echoed in the signed answer, so a recorded answer cannot be replayed. */
export function newNonce(): string {
  return toBase64Url(randomBytes(16));
}

/** How far a signed request's date may be from the server's clock. */
export const REQUEST_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

export function requestDateRefusal(
  issuedAt: string,
  now: Date,
  maxAgeMs: number = REQUEST_CLOCK_SKEW_MS,
): KeywardError | undefined {
  const time = Date.parse(issuedAt);
  if (Number.isNaN(time) || time - now.getTime() > REQUEST_CLOCK_SKEW_MS || now.getTime() - time > maxAgeMs)
    return keywardError('REQUEST_STALE');
  return undefined;
}

/** Armor labels of offline activation: the request the customer sends, the Unlock Key the vendor returns. */
export const ACTIVATION_REQUEST_LABEL = 'LICENSE ACTIVATION REQUEST';
export const UNLOCK_KEY_LABEL = 'LICENSE UNLOCK KEY';

/** How old an activation request may be when the vendor unlocks it: e-mail and fax take days. */
export const ACTIVATION_REQUEST_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Whether asking again to activate `serial` offline repeats the waiting request (so an Unlock Key
 * already on its way still fits): the same serial, and a request the vendor still accepts.
 */
export function repeatsWaitingRequest(
  container: {
    readonly serial: string | null;
    readonly pendingActivation: { readonly requestedAt: string } | null;
  },
  serial: string,
  now: Date,
): boolean {
  const waiting = container.pendingActivation;
  return (
    waiting !== null &&
    container.serial === serial &&
    now.getTime() - Date.parse(waiting.requestedAt) < ACTIVATION_REQUEST_MAX_AGE_MS
  );
}
