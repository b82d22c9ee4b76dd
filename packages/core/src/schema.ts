import { type Static, type TSchema, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';

/**
 * One schema per document: the TypeBox schema is the validator, the static type and (on the
 * server) the OpenAPI entry. Every document is closed: a field we do not know is refused, since a
 * signature proves who wrote a document, not that the writer's version agrees with ours.
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

export interface DocumentReader<S extends TSchema> {
  readonly schema: S;
  /** Checks a value against the schema; the refusal names the first field at fault. */
  read(value: unknown): Result<Static<S>>;
}

export function documentReader<S extends TSchema>(schema: S, what: string): DocumentReader<S> {
  const compiled = Compile(schema);
  return {
    schema,
    read(value) {
      if (compiled.Check(value)) return ok(value as Static<S>);
      const first = compiled.Errors(value)[0];
      const where = first?.instancePath ? ` at ${first.instancePath}` : '';
      return refuse(
        'VALIDATION_FAILED',
        `The ${what} is not in the expected form${where}${first ? `: ${first.message}` : ''}.`,
      );
    },
  };
}

export const SignedEnvelopeSchema = Type.Object(
  {
    v: Type.Literal(1),
    alg: Type.String({ maxLength: 32 }),
    kid: Type.String({ maxLength: 64 }),
    typ: Type.String({ maxLength: 64 }),
    payload: Type.String({ maxLength: 200_000 }),
    sig: Type.String({ maxLength: 128 }),
  },
  { additionalProperties: false, description: 'A document signed with Ed25519; payload is base64url JSON.' },
);
