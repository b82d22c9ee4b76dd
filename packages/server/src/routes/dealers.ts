import { Type } from '@fastify/type-provider-typebox';
import { ok } from '@keyward/core';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { problems, RefParams } from '../http/schemas.js';
import { createDealer, findDealer } from '../orders/dealer-service.js';
import { DealerSchema } from './order-schemas.js';

const CreateDealerBody = Type.Object(
  {
    login: Type.String({
      pattern: '^[a-z0-9][a-z0-9._-]{2,63}$',
      description: 'What the dealer logs in to the portal with.',
    }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ pattern: '^[^\\s@]+@[^\\s@]+$', maxLength: 254 }),
    password: Type.Optional(
      Type.String({
        minLength: 12,
        maxLength: 200,
        description: 'When absent, one is made and returned once.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const createDealerRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/dealers',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'createDealer',
        summary: 'Create a dealer account for the portal; a generated password is answered once.',
        tags: ['admin'],
        body: CreateDealerBody,
        response: {
          201: Type.Object({
            dealer: DealerSchema,
            password: Type.Optional(
              Type.String({ description: 'The password made for the dealer, shown once.' }),
            ),
          }),
          ...problems(400, 401, 409),
        },
      },
    },
    async (request, reply) => {
      const created = await createDealer(ctx, request.body);
      if (!created.ok) return answer(request, reply, created);
      const { dealer, password } = created.value;
      return answer(request, reply, ok(password === undefined ? { dealer } : { dealer, password }), 201);
    },
  );
};

export const listDealersRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/dealers',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'listDealers',
        summary: 'List the dealers.',
        tags: ['admin'],
        response: { 200: Type.Object({ dealers: Type.Array(DealerSchema) }), ...problems(401) },
      },
    },
    async () => ({ dealers: await ctx.dealers.list() }),
  );
};

export const showDealerRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/dealers/:ref',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'getDealer',
        summary: 'A dealer, by id or login.',
        tags: ['admin'],
        params: RefParams,
        response: { 200: DealerSchema, ...problems(401, 404) },
      },
    },
    async (request, reply) => answer(request, reply, await findDealer(ctx, request.params.ref)),
  );
};
