import { Type } from '@fastify/type-provider-typebox';
import { ok } from '@keyward/core';
import { SignedEnvelopeSchema } from '@keyward/core/schemas';
import { answer, type SiteRoute } from '../http/site-app.js';

const CertificateSummary = Type.Object({
  siteId: Type.String(),
  name: Type.String(),
  issuedAt: Type.String(),
});

/** Who this site server is: its public key (to register with the vendor) and its certificate, once installed. */
export const showSiteRoute: SiteRoute = (app, ctx) => {
  app.get(
    '/v1/site',
    {
      schema: {
        operationId: 'getSite',
        response: {
          200: Type.Object({
            siteKey: Type.String(),
            certificate: Type.Union([CertificateSummary, Type.Null()]),
          }),
        },
      },
    },
    async () => {
      const site = ctx.identity.current();
      const certificate = site.ok
        ? {
            siteId: site.value.certificate.siteId,
            name: site.value.certificate.name,
            issuedAt: site.value.certificate.issuedAt,
          }
        : null;
      return { siteKey: ctx.identity.key.publicKey, certificate };
    },
  );
};

export const installCertificateRoute: SiteRoute = (app, ctx) => {
  app.post(
    '/v1/site/certificate',
    {
      schema: {
        operationId: 'installSiteCertificate',
        body: Type.Object({
          certificate: SignedEnvelopeSchema,
          vendorKeys: Type.Array(
            Type.Object({ kid: Type.String(), kind: Type.String(), publicKey: Type.String() }),
          ),
          site: Type.Optional(Type.Unknown()),
        }),
        response: { 200: CertificateSummary },
      },
    },
    async (request, reply) => {
      const installed = await ctx.identity.install(request.body, ctx.now());
      if (!installed.ok) return answer(request, reply, installed);
      const { siteId, name, issuedAt } = installed.value;
      return answer(request, reply, ok({ siteId, name, issuedAt }));
    },
  );
};
