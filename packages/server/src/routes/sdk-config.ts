import { Type } from '@fastify/type-provider-typebox';
import { refuse } from '@keyward/core';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { NoQuery, problems, RefParams } from '../http/schemas.js';
import { findPolicyByRef } from '../licensing/policy-ref.js';

export const VendorKeySchema = Type.Object({
  kid: Type.String(),
  kind: Type.String(),
  publicKey: Type.String(),
  active: Type.Boolean(),
});

/**
 * The configuration a vendor ships inside the application for the client SDK: where the license
 * server is, which product this is, how long evaluation lasts, and the vendor's public keys.
 */
export const sdkConfigRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/products/:ref/sdk-config',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'getSdkConfig',
        summary: "A product's SDK configuration, shipped with the application.",
        tags: ['admin'],
        params: RefParams,
        querystring: Type.Object({
          policy: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description: 'Policy id or name whose evaluation days apply (default: the first).',
            }),
          ),
        }),
        response: {
          200: Type.Object({
            serverUrl: Type.String(),
            product: Type.String(),
            evaluationDays: Type.Integer(),
            vendorKeys: Type.Array(VendorKeySchema),
          }),
          ...problems(401, 404),
        },
      },
    },
    async (request, reply) => {
      const product = await ctx.catalogue.findProduct(request.params.ref);
      if (product === undefined) return answer(request, reply, refuse('PRODUCT_NOT_FOUND'));
      const wanted = request.query.policy;
      const policy =
        wanted === undefined
          ? (await ctx.catalogue.listPolicies('exclude', product.id))[0]
          : await findPolicyByRef(ctx, wanted, product.id).then((found) =>
              found.ok ? found.value : undefined,
            );
      if (policy === undefined) {
        return answer(
          request,
          reply,
          refuse('POLICY_NOT_FOUND', `Product ${product.code} has no such policy: create one first.`),
        );
      }
      return {
        serverUrl: ctx.config.publicUrl ?? `${request.protocol}://${request.host}`,
        product: product.code,
        evaluationDays: policy.evaluationDays,
        vendorKeys: [...ctx.keyring.publicKeys],
      };
    },
  );
};

export const vendorKeysRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/vendor/keys',
    {
      schema: {
        operationId: 'listVendorKeys',
        summary: "The vendor's public keys: what SDKs and site servers verify answers with.",
        tags: ['machine'],
        querystring: NoQuery,
        response: { 200: Type.Object({ keys: Type.Array(VendorKeySchema) }), ...problems(400) },
      },
    },
    async () => ({ keys: [...ctx.keyring.publicKeys] }),
  );
};
