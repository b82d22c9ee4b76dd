import { Type } from '@fastify/type-provider-typebox';
import { ok } from '@keyward/core';
import { answer, type SiteRoute } from '../http/site-app.js';

const LicenseViewSchema = Type.Object({
  serial: Type.String(),
  product: Type.String(),
  items: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer())),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  origin: Type.String({ description: 'manual: added from a key file; neighbour: donated by a parent site.' }),
  fromSiteId: Type.Union([Type.String(), Type.Null()], { description: 'The donor of a neighbour license.' }),
  addedAt: Type.String(),
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
  app.get(
    '/v1/site/licenses/:serial/file',
    {
      schema: {
        operationId: 'exportSiteLicense',
        params: SerialParams,
        response: { 200: Type.Object({ serial: Type.String(), file: Type.String() }) },
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
        response: { 200: Type.Object({ serial: Type.String() }) },
      },
    },
    async (request, reply) => answer(request, reply, await ctx.licenses.remove(request.params.serial)),
  );
};
