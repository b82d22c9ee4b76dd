import { Type } from '@fastify/type-provider-typebox';
import { ok } from '@keyward/core';
import { answer, type SiteRoute } from '../http/site-app.js';

const LicenseViewSchema = Type.Object({
  serial: Type.String(),
  product: Type.String(),
  items: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer())),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  origin: Type.String({
    description:
      'manual: added from a key file; renewal: fetched by the license expiration task; neighbour: donated by a neighbour site server.',
  }),
  fromSiteId: Type.Union([Type.String(), Type.Null()], { description: 'The donor of a neighbour license.' }),
  addedAt: Type.String(),
  replacedBy: Type.Union([Type.String(), Type.Null()], {
    description: 'The renewal that replaced this key; the key goes once no station or neighbour uses it.',
  }),
  keyFile: Type.Union([Type.String(), Type.Null()], {
    description: 'The key file in the data directory; an automatically renewed key has none until exported.',
  }),
  propagation: Type.Object({
    stations: Type.Array(
      Type.Object({
        stationId: Type.String(),
        item: Type.String(),
        seat: Type.String(),
        borrowed: Type.Boolean(),
        expiresAt: Type.String(),
      }),
    ),
    neighbours: Type.Array(
      Type.Object({
        siteId: Type.String(),
        seats: Type.Integer(),
        state: Type.Union([Type.Literal('waiting'), Type.Literal('pending'), Type.Literal('delivered')]),
      }),
    ),
  }),
});

const SerialParams = Type.Object({ serial: Type.String({ minLength: 1, maxLength: 64 }) });

export const addLicenseRoute: SiteRoute = (app, ctx) => {
  app.post(
    '/v1/site/licenses',
    {
      schema: {
        operationId: 'addSiteLicense',
        body: Type.Object(
          {
            file: Type.String({ maxLength: 400_000, description: 'The key file, as the vendor issued it.' }),
          },
          { additionalProperties: false },
        ),
        response: { 201: LicenseViewSchema },
      },
    },
    async (request, reply) => answer(request, reply, await ctx.licenses.add(request.body.file), 201),
  );
};

export const listLicensesRoute: SiteRoute = (app, ctx) => {
  app.get(
    '/v1/site/licenses',
    {
      schema: {
        operationId: 'listSiteLicenses',
        response: { 200: Type.Object({ licenses: Type.Array(LicenseViewSchema) }) },
      },
    },
    async (request, reply) => {
      const licenses = await ctx.licenses.list();
      return answer(request, reply, licenses.ok ? ok({ licenses: licenses.value }) : licenses);
    },
  );
};

export const exportLicenseRoute: SiteRoute = (app, ctx) => {
  app.post(
    '/v1/site/licenses/:serial/export',
    {
      schema: {
        operationId: 'exportSiteLicense',
        params: SerialParams,
        response: {
          200: Type.Object({ serial: Type.String(), file: Type.String(), keyFile: Type.String() }),
        },
      },
    },
    async (request, reply) => answer(request, reply, await ctx.licenses.exportFile(request.params.serial)),
  );
};

export const removeLicenseRoute: SiteRoute = (app, ctx) => {
  app.delete(
    '/v1/site/licenses/:serial',
    {
      schema: {
        operationId: 'removeSiteLicense',
        params: SerialParams,
        response: {
          200: Type.Object({
            serial: Type.String(),
            stillHeldBy: Type.Array(Type.String(), {
              description:
                'Neighbours still holding seats of the key: they stay counted if it is added again.',
            }),
          }),
        },
      },
    },
    async (request, reply) => answer(request, reply, await ctx.licenses.remove(request.params.serial)),
  );
};
