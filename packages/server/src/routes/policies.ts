import { Type } from '@fastify/type-provider-typebox';
import {
  CONTENT_LIMITS,
  NAME_PATTERN,
  newId,
  ok,
  POLICY_DEFAULTS,
  POLICY_LIMITS,
  type Policy,
  refuse,
} from '@keyward/core';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { PolicySchema, problems } from '../http/schemas.js';

const Name = Type.String({ pattern: NAME_PATTERN.source });

const nullableInteger = (limits: { minimum: number; maximum: number }, description: string) =>
  Type.Optional(Type.Union([Type.Integer(limits), Type.Null()], { description }));

const CreatePolicyBody = Type.Object(
  {
    product: Type.String({ minLength: 1, description: 'Product id or code.' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    checkIntervalDays: Type.Optional(
      Type.Integer({
        ...POLICY_LIMITS.checkIntervalDays,
        description: 'Days from one online check to the next.',
      }),
    ),
    evaluationDays: Type.Optional(
      Type.Integer({
        ...POLICY_LIMITS.evaluationDays,
        description: 'Days the application runs without a serial.',
      }),
    ),
    maxTransfers: nullableInteger(
      POLICY_LIMITS.maxTransfers,
      'Transfers allowed per license; null for no limit.',
    ),
    graceDays: Type.Optional(
      Type.Integer({
        ...POLICY_LIMITS.graceDays,
        description: 'Days the application keeps running when a due online check cannot reach the server.',
      }),
    ),
    verification: Type.Optional(Type.Union([Type.Literal('off'), Type.Literal('ongoing')])),
    durationDays: nullableInteger(POLICY_LIMITS.durationDays, 'License lifetime; null for perpetual.'),
    items: Type.Optional(
      Type.Record(Name, Type.Record(Name, Type.Integer({ minimum: 0, maximum: CONTENT_LIMITS.seats })), {
        description: 'Licensed items and their seats, e.g. {"cad": {"servers": 1, "nodes": 5}}.',
      }),
    ),
    counters: Type.Optional(
      Type.Record(Name, Type.Integer({ minimum: 0, maximum: CONTENT_LIMITS.counter }), {
        description: 'Usage counters each license starts with, e.g. {"exports": 100}.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const createPolicyRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/policies',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'createPolicy',
        summary: 'Create a policy: the terms licenses are issued under.',
        tags: ['admin'],
        body: CreatePolicyBody,
        response: { 201: PolicySchema, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { product: productRef, ...settings } = request.body;
      const product = await ctx.catalogue.findProduct(productRef);
      if (product === undefined) return answer(request, reply, refuse('PRODUCT_NOT_FOUND'));
      const policy: Policy = {
        ...POLICY_DEFAULTS,
        ...settings,
        id: newId('pol'),
        productId: product.id,
        createdAt: ctx.now().toISOString(),
      };
      await ctx.catalogue.createPolicy(policy);
      return answer(request, reply, ok(policy), 201);
    },
  );
};

export const listPoliciesRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/policies',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'listPolicies',
        summary: 'List the policies, of one product or all.',
        tags: ['admin'],
        querystring: Type.Object({ product: Type.Optional(Type.String({ minLength: 1 })) }),
        response: { 200: Type.Object({ policies: Type.Array(PolicySchema) }), ...problems(401, 404) },
      },
    },
    async (request, reply) => {
      const productRef = request.query.product;
      if (productRef === undefined) return { policies: await ctx.catalogue.listPolicies() };
      const product = await ctx.catalogue.findProduct(productRef);
      if (product === undefined) return answer(request, reply, refuse('PRODUCT_NOT_FOUND'));
      return { policies: await ctx.catalogue.listPolicies(product.id) };
    },
  );
};
