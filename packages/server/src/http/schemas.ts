import { Type } from '@fastify/type-provider-typebox';
import { type ErrorCode, errorCatalogue } from '@keyward/core';
import { SignedEnvelopeSchema } from '@keyward/core/schemas';
import type { RouteOptions } from 'fastify';

/** Schemas shared by several routes; each route file holds the rest of its own. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.Unsafe<ErrorCode>({
      type: 'string',
      enum: Object.keys(errorCatalogue),
      description: 'The stable error code: what to act on (the message is for people).',
    }),
    message: Type.String(),
    requestId: Type.String(),
    facts: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    refusal: Type.Optional(SignedEnvelopeSchema),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details with a stable Keyward error code.' },
);

/** Refusals a route may answer: RFC 9457 problem documents, served as application/problem+json. */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      { content: { 'application/problem+json': { schema: Type.Ref('Problem') } } },
    ]),
  );

/**
 * Refusals the edge gives around any handler: a body it cannot read (400, 413), a query that is
 * not of the declared form (400), an address part that does not decode (400) or is longer than
 * the router takes (414), a write that lost to
 * another made at the same moment (409), a database that does not answer (503), a bug (500).
 * They belong to every documented route alike, so they are declared here once, not in each list.
 */
export function declareEdgeProblems(route: RouteOptions): void {
  const schema = route.schema;
  if (schema?.response === undefined || schema.hide === true) return;
  const statuses = [500, 503];
  if (schema.body !== undefined) statuses.push(400, 413);
  if (schema.querystring !== undefined) statuses.push(400);
  if (route.url.includes(':')) statuses.push(400, 414);
  if (route.method !== 'GET' && route.method !== 'HEAD') statuses.push(409);
  route.schema = { ...schema, response: { ...problems(...statuses), ...(schema.response as object) } };
}

export { SignedEnvelopeSchema };

/** The query of an operation that takes none: an unknown parameter is refused, not ignored. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

export const ContainerMessageSchema = Type.Object(
  {
    containerKey: Type.String({
      minLength: 43,
      maxLength: 43,
      description: "The container's Ed25519 public key, base64url.",
    }),
    request: SignedEnvelopeSchema,
  },
  { additionalProperties: false },
);

export const ProductSchema = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
  archivedAt: Type.Union([Type.String(), Type.Null()], {
    description:
      'When it was archived: it then takes no new policies or licenses; its licenses keep working.',
  }),
});

export const PolicySchema = Type.Object({
  id: Type.String(),
  productId: Type.String(),
  name: Type.String(),
  checkIntervalDays: Type.Integer(),
  evaluationDays: Type.Integer(),
  maxTransfers: Type.Union([Type.Integer(), Type.Null()]),
  graceDays: Type.Integer(),
  verification: Type.String(),
  durationDays: Type.Union([Type.Integer(), Type.Null()]),
  items: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer())),
  counters: Type.Record(Type.String(), Type.Integer()),
  createdAt: Type.String(),
  archivedAt: Type.Union([Type.String(), Type.Null()], {
    description: 'When it was archived: no new licenses are issued under it; its licenses keep working.',
  }),
});

export const LicenseSchema = Type.Object({
  id: Type.String(),
  serial: Type.String(),
  productId: Type.String(),
  policyId: Type.String(),
  status: Type.String({ description: 'active, suspended or revoked (final).' }),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  transfersUsed: Type.Integer(),
  consumed: Type.Record(Type.String(), Type.Integer(), {
    description: 'Counter consumption reported by the containers: the largest seen of each counter.',
  }),
  extraTransfers: Type.Integer({ description: "Transfers granted above the policy's maxTransfers." }),
  note: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  archivedAt: Type.Union([Type.String(), Type.Null()], {
    description:
      'When it was archived (it was revoked or expired by then): hidden from lists, takes no updates.',
  }),
});

export const RefParams = Type.Object({ ref: Type.String({ minLength: 1, maxLength: 200 }) });

export const BindingSchema = Type.Object({
  id: Type.String(),
  fingerprintHash: Type.String(),
  containerKey: Type.String(),
  createdAt: Type.String(),
  lastCheckedAt: Type.Union([Type.String(), Type.Null()]),
});

export const TransferLimitSchema = Type.Union([Type.Integer(), Type.Null()], {
  description:
    "How many transfers the license allows: its policy's maxTransfers plus its extraTransfers; null is unlimited.",
});
