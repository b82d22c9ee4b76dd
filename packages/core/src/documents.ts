import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { type Static, type TSchema, Type } from 'typebox';
import { ContentsSchema } from './contents.js';
import { toBase64Url } from './crypto/encoding.js';
import { openSignedDocument } from './crypto/signed-envelope.js';
import { type KeywardError, keywardError } from './errors.js';
import { ok, type Result } from './result.js';
import {
  Count,
  type DocumentReader,
  documentReader,
  Instant,
  NamedCounts,
  Nonce,
  PublicKey32,
  Sha256Hex,
  Step,
} from './schema.js';

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

const Serial = Type.String({ minLength: 1, maxLength: 64 });
const Product = Type.String({ minLength: 1, maxLength: 64 });
const BindingId = Type.String({ minLength: 1, maxLength: 64 });
/** Each part of the computer's fingerprint, hashed (see `fingerprintPartHashes`). */
const FingerprintParts = Type.Record(
  Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$' }),
  Type.String({ pattern: '^[0-9a-f]{32}$' }),
  {
    maxProperties: 16,
    additionalProperties: false,
  },
);
/** Counter consumption: how many uses of each counter the container has recorded. */
export const CounterConsumption = NamedCounts(1_000_000_000);

/** What every request a container signs says about itself. */
const containerFacts = {
  serial: Serial,
  product: Product,
  containerKey: PublicKey32,
  fingerprintHash: Sha256Hex,
  nonce: Nonce,
  issuedAt: Instant,
};

export const LicenseRequestSchema = Type.Object(
  {
    ...containerFacts,
    containerBoxKey: PublicKey32,
    fingerprintParts: FingerprintParts,
    /** The update step of the terms the container holds: the vendor's receipt of applied updates. */
    sequence: Step,
    consumed: CounterConsumption,
  },
  { additionalProperties: false },
);
export type LicenseRequest = Static<typeof LicenseRequestSchema>;

/**
 * The license granted to one container: every term the application acts on, signed by the
 * vendor. The binding (container keys and fingerprint hash) says which container may use it.
 */
export const LicenseGrantSchema = Type.Object(
  {
    serial: Serial,
    product: Product,
    bindingId: BindingId,
    containerKey: PublicKey32,
    containerBoxKey: PublicKey32,
    fingerprintHash: Sha256Hex,
    fingerprintParts: FingerprintParts,
    /** The update step of `contents`. */
    sequence: Step,
    contents: ContentsSchema,
    /** The vendor's record of counter consumption: a new binding starts from it. */
    consumed: CounterConsumption,
    checkIntervalDays: Count(36_500),
    /** Days the application keeps running when a due check cannot reach the server. */
    graceDays: Count(365),
    maxTransfers: Type.Union([Count(1_000_000), Type.Null()]),
    transfersUsed: Count(1_000_000),
    nextCheckAt: Type.Union([Instant, Type.Null()]),
    issuedAt: Instant,
    nonce: Nonce,
  },
  { additionalProperties: false },
);
export type LicenseGrant = Static<typeof LicenseGrantSchema>;

export const LicenseRefusalSchema = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Z][A-Z_]{0,63}$' }),
    message: Type.String({ maxLength: 500 }),
    serial: Serial,
    containerKey: PublicKey32,
    issuedAt: Instant,
    nonce: Nonce,
  },
  { additionalProperties: false },
);
export type LicenseRefusal = Static<typeof LicenseRefusalSchema>;

export const DeactivationRequestSchema = Type.Object(
  { ...containerFacts, bindingId: BindingId, consumed: CounterConsumption },
  { additionalProperties: false },
);
export type DeactivationRequest = Static<typeof DeactivationRequestSchema>;

export const DeactivationReceiptSchema = Type.Object(
  {
    serial: Serial,
    bindingId: BindingId,
    transfersUsed: Count(1_000_000),
    maxTransfers: Type.Union([Count(1_000_000), Type.Null()]),
    deactivatedAt: Instant,
    nonce: Nonce,
  },
  { additionalProperties: false },
);
export type DeactivationReceipt = Static<typeof DeactivationReceiptSchema>;

/** A signed document type: the envelope's `typ` and the schema of its payload. */
export interface DocumentKind<S extends TSchema> {
  readonly typ: string;
  readonly reader: DocumentReader<S>;
}

export const DOCUMENTS = {
  licenseRequest: {
    typ: DOCUMENT_TYPES.licenseRequest,
    reader: documentReader(LicenseRequestSchema, 'license request'),
  },
  licenseGrant: {
    typ: DOCUMENT_TYPES.licenseGrant,
    reader: documentReader(LicenseGrantSchema, 'license grant'),
  },
  licenseRefusal: {
    typ: DOCUMENT_TYPES.licenseRefusal,
    reader: documentReader(LicenseRefusalSchema, 'license refusal'),
  },
  deactivationRequest: {
    typ: DOCUMENT_TYPES.deactivationRequest,
    reader: documentReader(DeactivationRequestSchema, 'deactivation request'),
  },
  deactivationReceipt: {
    typ: DOCUMENT_TYPES.deactivationReceipt,
    reader: documentReader(DeactivationReceiptSchema, 'deactivation receipt'),
  },
} as const;

declare const verifiedBrand: unique symbol;
/**
 * A document whose signature was checked. Only `openDocument` makes one, so a service that takes
 * `Verified<T>` cannot be handed a document nobody verified.
 */
export type Verified<T> = T & { readonly [verifiedBrand]: true };

/** Verifies an envelope of this kind with the key its `kid` names, then checks the payload's shape. */
export function openDocument<S extends TSchema>(
  envelope: unknown,
  kind: DocumentKind<S>,
  keyFor: (kid: string) => KeyObject | undefined,
): Result<Verified<Static<S>>> {
  const opened = openSignedDocument(envelope, kind.typ, keyFor);
  if (!opened.ok) return opened;
  const read = kind.reader.read(opened.value);
  return read.ok ? ok(read.value as Verified<Static<S>>) : read;
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
