import { Type } from '@fastify/type-provider-typebox';
import { type DonationBundle, ok, parseSignedEnvelope, type Result } from '@keyward/core';
import { SignedEnvelopeSchema } from '@keyward/core/schemas';
import { answer, type SiteRoute } from '../http/site-app.js';

/**
 * What site servers call on each other. Open like the station API: the documents carry their own
 * proof (the vendor's certificate of the sender, the sender's signature).
 */
const DonationBundleSchema = Type.Object(
  { donation: SignedEnvelopeSchema, license: SignedEnvelopeSchema, certificate: SignedEnvelopeSchema },
  { additionalProperties: false },
);

/** The bundle's envelopes in the one form (and algorithm) this site verifies. */
function bundleOf(body: Record<keyof DonationBundle, unknown>): Result<DonationBundle> {
  const donation = parseSignedEnvelope(body.donation);
  if (!donation.ok) return donation;
  const license = parseSignedEnvelope(body.license);
  if (!license.ok) return license;
  const certificate = parseSignedEnvelope(body.certificate);
  if (!certificate.ok) return certificate;
  return ok({ donation: donation.value, license: license.value, certificate: certificate.value });
}

export const helloRoute: SiteRoute = (app, ctx) => {
  app.get(
    '/v1/neighbours/hello',
    {
      schema: {
        operationId: 'neighbourHello',
        response: {
          200: Type.Object({
            siteId: Type.String(),
            protocol: Type.Integer(),
            certificate: SignedEnvelopeSchema,
          }),
        },
      },
    },
    async (request, reply) => answer(request, reply, ctx.neighbours.hello()),
  );
};

export const receiveDonationRoute: SiteRoute = (app, ctx) => {
  app.post(
    '/v1/neighbours/donations',
    {
      schema: {
        operationId: 'receiveSeatDonation',
        body: DonationBundleSchema,
        response: {
          200: Type.Object({
            serial: Type.String(),
            replaced: Type.Union([Type.String(), Type.Null()]),
            protocol: Type.Integer(),
            receipt: SignedEnvelopeSchema,
            certificate: SignedEnvelopeSchema,
          }),
        },
      },
    },
    async (request, reply) => {
      const bundle = bundleOf(request.body);
      return answer(request, reply, bundle.ok ? await ctx.received.receive(bundle.value) : bundle);
    },
  );
};

/** A parent takes its seats back with a donation of no seats of that license, signed by it. */
export const withdrawDonationRoute: SiteRoute = (app, ctx) => {
  app.delete(
    '/v1/neighbours/donations/:serial',
    {
      schema: {
        operationId: 'withdrawSeatDonation',
        params: Type.Object({ serial: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: DonationBundleSchema,
        response: { 200: Type.Object({ serial: Type.String() }) },
      },
    },
    async (request, reply) => {
      const bundle = bundleOf(request.body);
      return answer(
        request,
        reply,
        bundle.ok ? await ctx.received.withdraw(request.params.serial, bundle.value) : bundle,
      );
    },
  );
};
