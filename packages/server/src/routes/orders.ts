import { Type } from '@fastify/type-provider-typebox';
import { ok, refuse } from '@keyward/core';
import { tokenOf } from '../http/admin-api.js';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { problems } from '../http/schemas.js';
import {
  authorizeOrder,
  cancelOrder,
  createOrder,
  listOrders,
  showOrder,
  unlockOrder,
} from '../orders/order-service.js';
import { viewOrder } from '../orders/order-view.js';
import { OrderIdParams, OrderItemSchema, OrderSchema, OrderStateSchema } from './order-schemas.js';

const CreateOrderBody = Type.Object(
  {
    dealer: Type.String({ minLength: 1, maxLength: 100, description: "The dealer's id or login." }),
    product: Type.String({ minLength: 1, maxLength: 100, description: "The product's id or code." }),
    license: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'The one license the order upgrades (id or serial); any key of the product when absent.',
      }),
    ),
    items: Type.Array(OrderItemSchema, { minItems: 1, maxItems: 32, description: 'What the order adds.' }),
  },
  { additionalProperties: false },
);

const adminSchema = (operationId: string) => ({ operationId, tags: ['admin'] });

export const createOrderRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/orders',
    {
      config: { access: 'orders' },
      schema: {
        ...adminSchema('createOrder'),
        summary: 'Place an upgrade order for a dealer.',
        body: CreateOrderBody,
        response: { 201: OrderSchema, ...problems(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const own = tokenOf(request).dealerId;
      if (own !== null && (await ctx.dealers.find(request.body.dealer))?.id !== own)
        return answer(
          request,
          reply,
          refuse('FORBIDDEN', 'A dealer token places orders for its own dealer only.'),
        );
      return answer(request, reply, await createOrder(ctx, request.body), 201);
    },
  );
};

export const listOrdersRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/orders',
    {
      config: { access: 'orders' },
      schema: {
        ...adminSchema('listOrders'),
        summary: 'List orders, of one dealer or all, by state.',
        querystring: Type.Object({
          dealer: Type.Optional(
            Type.String({ minLength: 1, maxLength: 200, description: "The dealer's id or login." }),
          ),
          state: Type.Optional(OrderStateSchema),
        }),
        response: { 200: Type.Object({ orders: Type.Array(OrderSchema) }), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { dealer: dealerRef, state } = request.query;
      const dealer = dealerRef === undefined ? undefined : await ctx.dealers.find(dealerRef);
      if (dealerRef !== undefined && dealer === undefined)
        return answer(request, reply, refuse('DEALER_NOT_FOUND'));
      const own = tokenOf(request).dealerId;
      if (own !== null && dealer !== undefined && dealer.id !== own)
        return answer(
          request,
          reply,
          refuse('FORBIDDEN', "A dealer token sees its own dealer's orders only."),
        );
      const orders = await listOrders(ctx, { dealerId: own ?? dealer?.id, state });
      return { orders: orders.map((order) => ({ ...order, items: [...order.items] })) };
    },
  );
};

export const showOrderRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/orders/:id',
    {
      config: { access: 'orders' },
      schema: {
        ...adminSchema('getOrder'),
        summary: 'An order, with its deadline and state.',
        params: OrderIdParams,
        response: { 200: OrderSchema, ...problems(401, 404) },
      },
    },
    async (request, reply) =>
      answer(request, reply, await showOrder(ctx, request.params.id, tokenOf(request).dealerId ?? undefined)),
  );
};

/** Authorizes an order: its 14 days start, and its authorization number is answered this once. */
export const authorizeOrderRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/orders/:id/authorize',
    {
      config: { access: 'admin' },
      schema: {
        ...adminSchema('authorizeOrder'),
        summary: 'Authorize an order: its deadline starts and its authorization number is answered once.',
        params: OrderIdParams,
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: {
          200: Type.Object({
            order: OrderSchema,
            authorizationNumber: Type.String({ description: 'Shown once: the order keeps only its hash.' }),
          }),
          ...problems(401, 404, 409, 410),
        },
      },
    },
    async (request, reply) => {
      const authorized = await authorizeOrder(ctx, request.params.id);
      if (!authorized.ok) return answer(request, reply, authorized);
      const { order, authorizationNumber } = authorized.value;
      return answer(request, reply, ok({ order: viewOrder(order, ctx.now()), authorizationNumber }));
    },
  );
};

/** Changes of an order that need nothing but its id. */
const CHANGES = [
  {
    path: 'cancel',
    operationId: 'cancelOrder',
    change: cancelOrder,
    summary: 'Cancel an order not yet processed.',
  },
  {
    path: 'unlock',
    operationId: 'unlockOrder',
    change: unlockOrder,
    summary: 'Let an order locked by wrong authorization numbers be tried again.',
  },
] as const;

export const changeOrderRoutes: RouteModule = (app, ctx) => {
  for (const { path, operationId, change, summary } of CHANGES) {
    app.post(
      `/v1/orders/:id/${path}`,
      {
        config: { access: 'admin' },
        schema: {
          ...adminSchema(operationId),
          summary,
          params: OrderIdParams,
          body: Type.Optional(Type.Object({}, { additionalProperties: false })),
          response: { 200: OrderSchema, ...problems(401, 404, 409, 410) },
        },
      },
      async (request, reply) => answer(request, reply, await change(ctx, request.params.id)),
    );
  }
};
