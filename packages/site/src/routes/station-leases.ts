import { Type } from '@fastify/type-provider-typebox';
import { Name, Nonce, SignedEnvelopeSchema, StationId } from '@keyward/core/schemas';
import { answer, type SiteRoute } from '../http/site-app.js';

const SignedLeaseSchema = Type.Object({ lease: SignedEnvelopeSchema, certificate: SignedEnvelopeSchema });
const LeaseParams = Type.Object({ id: Type.String({ pattern: '^lea_[a-z0-9]{26}$' }) });

/** A station takes a seat; the answer is signed by the site key, over the station's nonce. */
export const takeLeaseRoute: SiteRoute = (app, ctx) => {
  app.post(
    '/v1/stations/leases',
    {
      schema: {
        operationId: 'takeSeatLease',
        body: Type.Object(
          {
            stationId: StationId,
            product: Type.String({ minLength: 1, maxLength: 64 }),
            item: Name,
            seat: Name,
            borrowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
            nonce: Nonce,
          },
          { additionalProperties: false },
        ),
        response: { 201: SignedLeaseSchema },
      },
    },
    async (request, reply) => answer(request, reply, await ctx.seats.lease(request.body), 201),
  );
};

export const heartbeatRoute: SiteRoute = (app, ctx) => {
  app.post(
    '/v1/stations/leases/:id/heartbeat',
    {
      schema: {
        operationId: 'heartbeatSeatLease',
        params: LeaseParams,
        body: Type.Object({ nonce: Nonce }, { additionalProperties: false }),
        response: { 200: SignedLeaseSchema },
      },
    },
    async (request, reply) =>
      answer(request, reply, await ctx.seats.heartbeat(request.params.id, request.body.nonce)),
  );
};

export const releaseRoute: SiteRoute = (app, ctx) => {
  app.post(
    '/v1/stations/leases/:id/release',
    {
      schema: {
        operationId: 'releaseSeatLease',
        params: LeaseParams,
        response: { 200: Type.Object({ leaseId: Type.String() }) },
      },
    },
    async (request, reply) => answer(request, reply, await ctx.seats.release(request.params.id)),
  );
};
