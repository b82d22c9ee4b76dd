import { Type } from '@fastify/type-provider-typebox';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { problems, SignedEnvelopeSchema } from '../http/schemas.js';
import { fetchRenewal } from '../sites/renewal-fetch.js';
import { receiveSiteReport } from '../sites/site-reports.js';

/**
 * What site servers ask the vendor, each request signed by the site's own key (the one the
 * vendor certified): no admin token, the signature is the credential.
 */
export const fetchRenewalRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/site-api/renewals',
    {
      schema: {
        operationId: 'fetchRenewal',
        summary: 'A site server asks for the renewal waiting for one of its licenses.',
        tags: ['site-api'],
        body: Type.Object(
          { request: SignedEnvelopeSchema },
          { additionalProperties: false, description: 'A renewal request signed by the site key.' },
        ),
        response: {
          200: Type.Object({
            serial: Type.String(),
            renewal: Type.Union([
              Type.Object({
                serial: Type.String(),
                expiresAt: Type.Union([Type.String(), Type.Null()]),
                file: Type.String({ description: 'The renewal as a site license key file for this site.' }),
              }),
              Type.Null(),
            ]),
            answer: Object.assign({}, SignedEnvelopeSchema, {
              description:
                'The vendor signs the site, serial, nonce and renewal serial (or null): a renewal cannot be hidden on the way.',
            }),
          }),
          ...problems(400, 403, 404),
        },
      },
    },
    async (request, reply) => answer(request, reply, await fetchRenewal(ctx, request.body.request)),
  );
};

export const siteReportRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/site-api/reports',
    {
      schema: {
        operationId: 'reportSite',
        summary: 'A site server reports the licenses it holds and where each is propagated.',
        tags: ['site-api'],
        body: Type.Object(
          { report: SignedEnvelopeSchema },
          { additionalProperties: false, description: 'A site report signed by the site key.' },
        ),
        response: {
          200: Type.Object({
            accepted: Type.Boolean({
              description: 'False when a newer report of this site is already kept.',
            }),
          }),
          ...problems(400, 404),
        },
      },
    },
    async (request, reply) => answer(request, reply, await receiveSiteReport(ctx, request.body.report)),
  );
};
