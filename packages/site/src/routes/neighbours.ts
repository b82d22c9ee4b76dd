import { Type } from '@fastify/type-provider-typebox';
import { ok } from '@keyward/core';
import { answer, type SiteRoute } from '../http/site-app.js';

const SiteId = Type.String({ pattern: '^sit_[a-z0-9]{26}$' });

export const NeighbourSchema = Type.Object({
  siteId: Type.String(),
  name: Type.String(),
  url: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.Literal('child'), Type.Literal('parent')]),
  protocol: Type.Union([Type.Integer(), Type.Null()]),
  addedAt: Type.String(),
  lastContactAt: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
});

const Name = Type.String({ minLength: 1, maxLength: 200 });

/** A child is checked against its hello when added; a parent only names whose donations are accepted. */
export const addNeighbourRoute: SiteRoute = (app, ctx) => {
  app.post(
    '/v1/site/neighbours',
    {
      schema: {
        operationId: 'addSiteNeighbour',
        body: Type.Union([
          Type.Object(
            {
              role: Type.Literal('child'),
              siteId: SiteId,
              url: Type.String({ pattern: '^https?://', maxLength: 2000 }),
              name: Type.Optional(Name),
            },
            { additionalProperties: false },
          ),
          Type.Object(
            { role: Type.Literal('parent'), siteId: SiteId, name: Type.Optional(Name) },
            { additionalProperties: false },
          ),
        ]),
        response: { 201: NeighbourSchema },
      },
    },
    async (request, reply) => answer(request, reply, await ctx.neighbours.add(request.body), 201),
  );
};

export const listNeighboursRoute: SiteRoute = (app, ctx) => {
  app.get(
    '/v1/site/neighbours',
    {
      schema: {
        operationId: 'listSiteNeighbours',
        response: { 200: Type.Object({ neighbours: Type.Array(NeighbourSchema) }) },
      },
    },
    async (request, reply) => answer(request, reply, ok({ neighbours: await ctx.neighbours.list() })),
  );
};

export const removeNeighbourRoute: SiteRoute = (app, ctx) => {
  app.delete(
    '/v1/site/neighbours/:siteId',
    {
      schema: {
        operationId: 'removeSiteNeighbour',
        params: Type.Object({ siteId: SiteId }),
        response: { 200: Type.Object({ siteId: Type.String() }) },
      },
    },
    async (request, reply) => answer(request, reply, await ctx.neighbours.remove(request.params.siteId)),
  );
};
