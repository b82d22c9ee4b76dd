import { Type } from '@fastify/type-provider-typebox';
import { ok, refuse } from '@keyward/core';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { PolicySchema, problems } from '../http/schemas.js';
import { findPolicyByRef } from '../licensing/policy-ref.js';
import { ArchiveBody } from './archive-body.js';
import { IssueTerms, PolicyName } from './policy-fields.js';

const EditPolicyBody = Type.Object(
  { name: Type.Optional(PolicyName), ...IssueTerms },
  { additionalProperties: false, minProperties: 1 },
);

const PolicyQuery = Type.Object({
  product: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Product id or code, when the policy is named by a name.',
    }),
  ),
});

const PolicyParams = Type.Object({
  ref: Type.String({ minLength: 1, maxLength: 200, description: 'Policy id or name.' }),
});

export const editPolicyRoutes: RouteModule = (app, ctx) => {
  app.patch(
    '/v1/policies/:ref',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'editPolicy',
        summary:
          'Rename a policy or change the terms of the licenses issued under it from now on; issued licenses keep theirs.',
        description:
          'Editable: the name (unique within the product), evaluationDays (SDK configurations made from now on), ' +
          'verification, durationDays, items and counters (licenses issued from now on). ' +
          'checkIntervalDays, graceDays and maxTransfers are not: every license already issued reads them at its ' +
          'online checks, so changing them would change licenses already sold; create a new policy instead. ' +
          'Issued licenses change only by updates, which their containers sign for.',
        tags: ['admin'],
        params: PolicyParams,
        querystring: PolicyQuery,
        body: EditPolicyBody,
        response: { 200: PolicySchema, ...problems(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const policy = await findPolicyByRef(ctx, request.params.ref, request.query.product);
      if (!policy.ok) return answer(request, reply, policy);
      return answer(request, reply, await ctx.catalogue.editPolicy(policy.value.id, request.body));
    },
  );

  app.post(
    '/v1/policies/:ref/archive',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'archivePolicy',
        summary:
          'Archive a policy: no new licenses are issued under it (POLICY_ARCHIVED); its licenses keep working.',
        tags: ['admin'],
        params: PolicyParams,
        querystring: PolicyQuery,
        body: ArchiveBody,
        response: { 200: PolicySchema, ...problems(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const policy = await findPolicyByRef(ctx, request.params.ref, request.query.product);
      if (!policy.ok) return answer(request, reply, policy);
      const archived = await ctx.catalogue.archivePolicy(policy.value.id, ctx.now().toISOString());
      return answer(request, reply, archived === undefined ? refuse('POLICY_NOT_FOUND') : ok(archived));
    },
  );
};
