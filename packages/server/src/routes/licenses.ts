import { Type } from '@fastify/type-provider-typebox';
import {
  effectiveMaxTransfers,
  generateSerial,
  initialContents,
  type License,
  licenseExpiry,
  newId,
  ok,
  refuse,
} from '@keyward/core';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { BindingSchema, LicenseSchema, problems, RefParams, TransferLimitSchema } from '../http/schemas.js';
import { licenseHistory } from '../licensing/license-history.js';
import { findLicenseByRef } from '../licensing/license-ref.js';
import { findPolicyByRef } from '../licensing/policy-ref.js';
import { ArchivedQuery } from './archived-query.js';

const CreateLicensesBody = Type.Object(
  {
    policy: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Policy id, or name (unique within its product).',
    }),
    product: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Product id or code: names the product whose policy of that name is meant.',
      }),
    ),
    count: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, description: 'How many licenses to issue (default 1).' }),
    ),
    expiresAt: Type.Optional(
      Type.String({ format: 'date-time', description: "Overrides the policy's duration." }),
    ),
    note: Type.Optional(
      Type.String({ maxLength: 1000, description: 'Free text, e.g. the customer or order.' }),
    ),
  },
  { additionalProperties: false },
);

export const createLicensesRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/licenses',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'createLicenses',
        summary: 'Issue licenses under a policy, each with its serial number.',
        tags: ['admin'],
        body: CreateLicensesBody,
        response: {
          201: Type.Object({ licenses: Type.Array(LicenseSchema) }),
          ...problems(400, 401, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const { policy: policyRef, product, count = 1, expiresAt, note } = request.body;
      const found = await findPolicyByRef(ctx, policyRef, product);
      if (!found.ok) return answer(request, reply, found);
      const policy = found.value;
      const now = ctx.now();
      const expiry = expiresAt === undefined ? licenseExpiry(policy, now) : new Date(expiresAt);
      const licenses: License[] = Array.from({ length: count }, () => ({
        id: newId('lic'),
        serial: generateSerial(),
        productId: policy.productId,
        policyId: policy.id,
        status: 'active',
        expiresAt: expiry?.toISOString() ?? null,
        transfersUsed: 0,
        consumed: {},
        extraTransfers: 0,
        note: note ?? null,
        createdAt: now.toISOString(),
        archivedAt: null,
      }));
      const created = await ctx.licenses.createLicenses(
        { productId: policy.productId, policyId: policy.id },
        licenses,
        initialContents(policy, expiry?.toISOString() ?? null),
      );
      return answer(request, reply, created.ok ? ok({ licenses: created.value }) : created, 201);
    },
  );
};

export const listLicensesRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/licenses',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'listLicenses',
        summary: 'List licenses, filtered by product or policy; archived ones only when asked.',
        tags: ['admin'],
        querystring: Type.Object({
          product: Type.Optional(
            Type.String({ minLength: 1, maxLength: 200, description: 'Product id or code.' }),
          ),
          policy: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description: 'Policy id, or name (within the product if given).',
            }),
          ),
          archived: ArchivedQuery,
          after: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description: 'Cursor: the last id of the previous page.',
            }),
          ),
          limit: Type.Optional(
            Type.String({
              pattern: '^([1-9][0-9]{0,2}|1000)$',
              description: 'Page size, 1 to 1000 (default 100).',
            }),
          ),
        }),
        response: { 200: Type.Object({ licenses: Type.Array(LicenseSchema) }), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const {
        product: productRef,
        policy: policyRef,
        archived = 'exclude',
        after,
        limit = '100',
      } = request.query;
      const product = productRef === undefined ? undefined : await ctx.catalogue.findProduct(productRef);
      if (productRef !== undefined && product === undefined)
        return answer(request, reply, refuse('PRODUCT_NOT_FOUND'));
      const policy = policyRef === undefined ? undefined : await findPolicyByRef(ctx, policyRef, productRef);
      if (policy !== undefined && !policy.ok) return answer(request, reply, policy);
      const licenses = await ctx.licenses.listLicenses({
        productId: product?.id,
        policyId: policy?.value.id,
        archived,
        after,
        limit: Number(limit),
      });
      return { licenses };
    },
  );
};

const EventSchema = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('license'), Type.Literal('machine')], {
    description:
      'license: what happened to the license; machine: what a computer asked that the audit log keeps (activate.refused, checkLicense.refused, deactivate.refused, deactivate, tamper.reported).',
  }),
  type: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
});

export const showLicenseRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/licenses/:ref',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'getLicense',
        summary: 'A license, by id or serial: its terms, binding and history (with refusals and releases).',
        tags: ['admin'],
        params: RefParams,
        response: {
          200: Type.Object({
            license: LicenseSchema,
            maxTransfers: TransferLimitSchema,
            binding: Type.Union([BindingSchema, Type.Null()]),
            history: Type.Array(EventSchema),
          }),
          ...problems(401, 404),
        },
      },
    },
    async (request, reply) => {
      const license = await findLicenseByRef(ctx, request.params.ref);
      if (!license.ok) return answer(request, reply, license);
      const policy = await ctx.catalogue.findPolicy(license.value.policyId);
      if (policy === undefined) throw new Error(`License ${license.value.id} has no policy`);
      const { binding, history: events } = await ctx.licenses.details(license.value);
      const maxTransfers = effectiveMaxTransfers(policy, license.value);
      const history = await licenseHistory(ctx, license.value, events);
      return { license: license.value, maxTransfers, binding: binding ?? null, history };
    },
  );
};
