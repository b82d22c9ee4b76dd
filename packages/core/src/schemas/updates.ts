import { type TSchema, Type } from 'typebox';
import { CONTENT_LIMITS } from '../contents.js';
import { ContentsSchema } from './contents.js';
import { Instant, Name, Nonce, PasswordHash, PublicKey32, Sha256Hex, Step } from './primitives.js';

export const UpdateRequestSchema = Type.Object(
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

export const UpdatePackageSchema = Type.Object(
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
const Seats = Type.Integer({ minimum: 0, maximum: CONTENT_LIMITS.seats });
const CounterValue = Type.Integer({ minimum: 0, maximum: CONTENT_LIMITS.counter });
const operation = <O extends string, P extends Record<string, TSchema>>(op: O, properties: P) =>
  Type.Object({ op: Type.Literal(op), ...properties }, { additionalProperties: false });

/** One schema per operation: the validator, the static type and the OpenAPI entry. */
export const OPERATION_SCHEMAS = {
  'set-expiry': operation('set-expiry', {
    expiresAt: Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Null()]),
  }),
  'add-seats': operation('add-seats', { item: Name, kind: Name, count: Seats }),
  'set-seats': operation('set-seats', { item: Name, kind: Name, count: Seats }),
  'set-counter': operation('set-counter', { name: Name, value: CounterValue }),
  'increment-counter': operation('increment-counter', { name: Name, by: CounterValue }),
  'decrement-counter': operation('decrement-counter', { name: Name, by: CounterValue }),
  'set-password': operation('set-password', { name: Name, hash: PasswordHash }),
  'write-memory': operation('write-memory', {
    name: Name,
    data: Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', maxLength: 8192 }),
  }),
  'delete-memory': operation('delete-memory', { name: Name }),
  'set-verification': operation('set-verification', {
    verification: Type.Union([Type.Literal('off'), Type.Literal('ongoing')]),
  }),
} as const;

const S = OPERATION_SCHEMAS;
export const UpdateOperationSchema = Type.Union([
  S['set-expiry'],
  S['add-seats'],
  S['set-seats'],
  S['set-counter'],
  S['increment-counter'],
  S['decrement-counter'],
  S['set-password'],
  S['write-memory'],
  S['delete-memory'],
  S['set-verification'],
]);
