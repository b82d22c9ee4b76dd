import { Type } from 'typebox';

/**
 * One schema per document: the TypeBox schema gives the static type, the OpenAPI entry and (made
 * ahead of time by `scripts/generate-checks.mjs`) the validator, so that the SDK checks documents
 * without loading TypeBox at every start. Every document is closed: a field we do not know is
 * refused, since a signature proves who wrote a document, not that the writer's version agrees
 * with ours.
 */
export const Name = Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$' });
export const Instant = Type.String({ format: 'date-time', maxLength: 40 });
export const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });
/** A raw 32-byte public key, base64url without padding. */
export const PublicKey32 = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' });
export const Nonce = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' });
export const Count = (maximum: number) => Type.Integer({ minimum: 0, maximum });
export const Step = Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 });

/** Named counts, e.g. counter consumption `{ exports: 12 }`. */
export const NamedCounts = (maximum: number) =>
  Type.Record(Name, Count(maximum), { maxProperties: 64, additionalProperties: false });

/** An application password as stored: `scrypt$N$r$p$salt$hash`, never the password. */
export const PasswordHash = Type.String({
  pattern: '^scrypt\\$\\d+\\$\\d+\\$\\d+\\$[A-Za-z0-9_-]+\\$[A-Za-z0-9_-]+$',
  maxLength: 200,
});

/**
 * Where a batch-signed document sits in its batch's Merkle tree (docs/batch-signing.md); the
 * bounds are `MAX_BATCH_SIZE` and `MAX_BATCH_PATH` of `crypto/merkle-batch.ts`.
 */
export const BatchProofSchema = Type.Object(
  {
    size: Type.Integer({ minimum: 2, maximum: 65_536 }),
    index: Type.Integer({ minimum: 0, maximum: 65_535 }),
    path: Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }), { maxItems: 16 }),
  },
  {
    additionalProperties: false,
    description: 'Batch signature: tree size, leaf index and audit path (SHA-256 hashes, leaf up).',
  },
);

export const SignedEnvelopeSchema = Type.Object(
  {
    v: Type.Literal(1),
    alg: Type.String({ maxLength: 32 }),
    kid: Type.String({ maxLength: 64 }),
    typ: Type.String({ maxLength: 64 }),
    payload: Type.String({ maxLength: 200_000 }),
    sig: Type.String({ maxLength: 128 }),
    batch: Type.Optional(BatchProofSchema),
  },
  {
    additionalProperties: false,
    description:
      'A document signed with Ed25519; payload is base64url JSON. With `batch`, sig covers the root of a batch.',
  },
);
