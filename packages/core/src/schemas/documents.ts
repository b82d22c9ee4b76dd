import { Type } from 'typebox';
import { ContentsSchema } from './contents.js';
import { Count, Instant, NamedCounts, Nonce, PublicKey32, Sha256Hex, Step } from './primitives.js';

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
    /**
     * Present when the container found its terms edited or an older copy of itself restored, and
     * blocked the license: the request to activate again reports it, for the vendor's audit log.
     */
    tamperDetected: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false },
);

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

export const DeactivationRequestSchema = Type.Object(
  { ...containerFacts, bindingId: BindingId, consumed: CounterConsumption },
  { additionalProperties: false },
);

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
