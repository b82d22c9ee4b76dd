import { Type } from '@fastify/type-provider-typebox';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { problems, RefParams } from '../http/schemas.js';
import { listRenewals, removeRenewal, tieRenewal } from '../sites/renewal-service.js';

const Expiry = Type.Union([Type.String(), Type.Null()]);

/** A renewal as the admin API shows it: both licenses by serial, with their expiry. */
export const RenewalSchema = Type.Object({
  id: Type.String(),
  product: Type.String(),
  licenseSerial: Type.String(),
  licenseExpiresAt: Expiry,
  renewalSerial: Type.String(),
  renewalExpiresAt: Expiry,
  createdAt: Type.String(),
  fetchedAt: Type.Union([Type.String(), Type.Null()]),
  fetchedBySite: Type.Union([Type.String(), Type.Null()]),
});

export const tieRenewalRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/licenses/:ref/renewals',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'tieRenewal',
        summary: 'Tie a renewal bought in advance to the license it renews, for its site server to fetch.',
        tags: ['admin'],
        params: RefParams,
        body: Type.Object(
          {
            renewal: Type.String({
              minLength: 1,
              maxLength: 200,
              description: 'The renewal license: its id or serial.',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 201: RenewalSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      answer(request, reply, await tieRenewal(ctx, request.params.ref, request.body.renewal), 201),
  );
};

export const listRenewalsRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/renewals',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'listRenewals',
        summary: 'List the renewals bought in advance.',
        tags: ['admin'],
        querystring: Type.Object(
          {
            license: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description: 'Only the renewals of, or by, this license (id or serial).',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ renewals: Type.Array(RenewalSchema) }), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => answer(request, reply, await listRenewals(ctx, request.query.license)),
  );
};

export const removeRenewalRoute: RouteModule = (app, ctx) => {
  app.delete(
    '/v1/renewals/:id',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'removeRenewal',
        summary: 'Untie a renewal; a site server that already fetched it keeps its key file.',
        tags: ['admin'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Object({ removed: Type.String() }), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => answer(request, reply, await removeRenewal(ctx, request.params.id)),
  );
};
