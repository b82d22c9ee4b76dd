import { Type } from '@fastify/type-provider-typebox';
import { ORDER_STATES } from '@keyward/core';

/** Schemas the dealer and order routes share. */
export const DealerSchema = Type.Object({
  id: Type.String(),
  login: Type.String(),
  name: Type.String(),
  email: Type.String(),
  createdAt: Type.String(),
});

export const OrderItemSchema = Type.Object(
  {
    item: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$', description: 'The licensed item, e.g. "cad".' }),
    kind: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$', description: 'The kind of seat, e.g. "nodes".' }),
    count: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'How many more seats.' }),
  },
  { additionalProperties: false },
);

export const OrderStateSchema = Type.Union(ORDER_STATES.map((state) => Type.Literal(state)));

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const OrderSchema = Type.Object({
  id: Type.String(),
  dealerId: Type.String(),
  dealerLogin: Type.String(),
  productId: Type.String(),
  productCode: Type.String(),
  productName: Type.String(),
  licenseId: Nullable(Type.String()),
  licenseSerial: Nullable(Type.String()),
  items: Type.Array(OrderItemSchema),
  description: Type.String({ description: 'What the order adds, e.g. "1 more server and 448 more nodes".' }),
  state: Type.String({ description: `The state now: ${ORDER_STATES.join(', ')}.` }),
  daysLeft: Nullable(Type.Integer({ description: 'Days left to process an authorized order.' })),
  createdAt: Type.String(),
  authorizedAt: Nullable(Type.String()),
  expiresAt: Nullable(Type.String()),
  closedAt: Nullable(Type.String()),
  updateId: Nullable(Type.String()),
  failedAttempts: Type.Integer({ description: 'Wrong authorization numbers since the last right one.' }),
  locked: Type.Boolean(),
});

export const UpgradeLineSchema = Type.Object({
  item: Type.String(),
  kind: Type.String(),
  from: Type.Integer(),
  to: Type.Integer(),
});

export const OrderIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
