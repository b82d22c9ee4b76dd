import { Type } from 'typebox';
import { CONTAINER_FORMAT, CONTAINER_STATES } from '../licensing.js';
import { CounterConsumption } from './documents.js';
import { Instant, Nonce, PublicKey32, SignedEnvelopeSchema, Step } from './primitives.js';

export const HeldUpdateSchema = Type.Union([
  Type.Object(
    { kind: Type.Literal('package'), envelope: SignedEnvelopeSchema },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('code'), code: Type.String({ maxLength: 400 }) },
    { additionalProperties: false },
  ),
]);

/** A grant entered as codes by phone: the request code this container made and the vendor's Unlock Key. */
export const UnlockKeyGrantSchema = Type.Object(
  {
    kind: Type.Literal('unlock-code'),
    serial: Type.String({ maxLength: 64 }),
    request: Type.String({ maxLength: 200 }),
    unlockKey: Type.String({ maxLength: 600 }),
  },
  { additionalProperties: false },
);

/** The license container file's record (docs/container-format.md). */
export const ContainerRecordSchema = Type.Object(
  {
    format: Type.Literal(CONTAINER_FORMAT),
    containerId: Type.String({ maxLength: 64 }),
    product: Type.String({ maxLength: 64 }),
    containerKey: PublicKey32,
    containerBoxKey: PublicKey32,
    lockedKeys: Type.String({ maxLength: 400 }),
    grant: Type.Union([SignedEnvelopeSchema, UnlockKeyGrantSchema, Type.Null()]),
    updates: Type.Array(HeldUpdateSchema, { maxItems: 1000 }),
    revision: Step,
    state: Type.Union(CONTAINER_STATES.map((state) => Type.Literal(state))),
    serial: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    evaluationStartedAt: Instant,
    lastSeenAt: Instant,
    consumed: CounterConsumption,
    pendingActivation: Type.Union([
      Type.Object({ nonce: Nonce, requestedAt: Instant }, { additionalProperties: false }),
      Type.Null(),
    ]),
    lastRefusal: Type.Union([
      Type.Object(
        { code: Type.String({ maxLength: 64 }), message: Type.String({ maxLength: 500 }) },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
