import { Type } from '@fastify/type-provider-typebox';
import { newId, POLICY_DEFAULTS, type Policy, refuse } from '@keyward/core';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { PolicySchema, problems } from '../http/schemas.js';
import { ArchivedQuery } from './archived-query.js';
import { CheckTerms, IssueTerms, PolicyName } from './policy-fields.js';

const CreatePolicyBody = Type.Object(
  {
    product: Type.String({ minLength: 1, maxLength: 200, description: 'Product id or code.' }),
    name: PolicyName,
    ...CheckTerms,
    ...IssueTerms,
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
        response: { 201: PolicySchema, ...problems(400, 401, 404, 409) },
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
        archivedAt: null,
      };
      return answer(request, reply, await ctx.catalogue.createPolicy(policy), 201);
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
        summary: 'List the policies, of one product or all; archived ones only when asked.',
        tags: ['admin'],
        querystring: Type.Object({
          product: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          archived: ArchivedQuery,
        }),
        response: { 200: Type.Object({ policies: Type.Array(PolicySchema) }), ...problems(401, 404) },
      },
    },
    async (request, reply) => {
      const { product: productRef, archived = 'exclude' } = request.query;
      if (productRef === undefined) return { policies: await ctx.catalogue.listPolicies(archived) };
      const product = await ctx.catalogue.findProduct(productRef);
      if (product === undefined) return answer(request, reply, refuse('PRODUCT_NOT_FOUND'));
      return { policies: await ctx.catalogue.listPolicies(archived, product.id) };
    },
  );
};
