import { Type } from '@fastify/type-provider-typebox';
import { Name, StationId } from '@keyward/core/schemas';
import { answer, type SiteRoute } from '../http/site-app.js';

const SerialParams = Type.Object({ serial: Type.String({ minLength: 1, maxLength: 64 }) });
const SiteId = Type.String({ pattern: '^sit_[a-z0-9]{26}$' });
const Share = Type.Record(Name, Type.Record(Name, Type.Integer({ minimum: 1, maximum: 1_000_000 })), {
  minProperties: 1,
  maxProperties: 64,
});

/** Donates seats of a license to a child site server (adding to its share), and offers them at once. */
export const propagateToNeighbourRoute: SiteRoute = (app, ctx) => {
  app.post(
    '/v1/site/licenses/:serial/propagation',
    {
      schema: {
        operationId: 'propagateSiteLicense',
        params: SerialParams,
        body: Type.Object({ neighbour: SiteId, items: Share }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            serial: Type.String(),
            neighbour: Type.String(),
            items: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer())),
            state: Type.String(),
            replaces: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request, reply) =>
      answer(
        request,
        reply,
        await ctx.donations.donate(request.params.serial, request.body.neighbour, request.body.items),
      ),
  );
};

/** Moves stations' live leases of the license's product onto this license. */
export const propagateToStationsRoute: SiteRoute = (app, ctx) => {
  app.post(
    '/v1/site/licenses/:serial/propagation/stations',
    {
      schema: {
        operationId: 'propagateSiteLicenseToStations',
        params: SerialParams,
        body: Type.Object(
          { stations: Type.Array(StationId, { minItems: 1, maxItems: 1000 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ moved: Type.Array(Type.String()), left: Type.Array(Type.String()) }),
        },
      },
    },
    async (request, reply) =>
      answer(
        request,
        reply,
        await ctx.propagation.propagateToStations(request.params.serial, request.body.stations),
      ),
  );
};

/** Takes a donation back from a child; its seats are free here once the child has been told. */
export const unpropagateRoute: SiteRoute = (app, ctx) => {
  app.delete(
    '/v1/site/licenses/:serial/propagation/:neighbour',
    {
      schema: {
        operationId: 'unpropagateSiteLicense',
        params: Type.Object({ serial: Type.String({ minLength: 1, maxLength: 64 }), neighbour: SiteId }),
        response: { 200: Type.Object({ serial: Type.String(), neighbour: Type.String() }) },
      },
    },
    async (request, reply) =>
      answer(request, reply, await ctx.donations.withdraw(request.params.serial, request.params.neighbour)),
  );
};
