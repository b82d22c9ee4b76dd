import { Type } from '@fastify/type-provider-typebox';
import { ok, refuse } from '@keyward/core';
import { SiteReportSchema } from '@keyward/core/schemas';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { problems, SignedEnvelopeSchema } from '../http/schemas.js';
import { certificateOf, issueSiteLicense, registerSite } from '../sites/site-issuer.js';
import { listSites, siteDetails } from '../sites/site-view.js';
import { RenewalSchema } from './renewals.js';
import { VendorKeySchema } from './sdk-config.js';

const SiteSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  siteKey: Type.String(),
  createdAt: Type.String(),
});

const SiteParams = Type.Object({ id: Type.String({ pattern: '^sit_[a-z0-9]{26}$' }) });

/**
 * What a site server installs: the vendor's certificate of its key, and the vendor's keys it
 * verifies site license files with.
 */
const SiteCertificateFile = Type.Object({
  site: SiteSchema,
  certificate: SignedEnvelopeSchema,
  vendorKeys: Type.Array(VendorKeySchema),
});

export const registerSiteRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/sites',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'registerSite',
        summary: "Register a site server's key; its certificate is answered.",
        tags: ['admin'],
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            siteKey: Type.String({
              pattern: '^[A-Za-z0-9_-]{43}$',
              description: "The site server's Ed25519 public key (keyward site start prints it).",
            }),
          },
          { additionalProperties: false },
        ),
        response: { 201: SiteCertificateFile, ...problems(400, 401, 409) },
      },
    },
    async (request, reply) => {
      const registered = await registerSite(ctx, request.body.name, request.body.siteKey);
      if (!registered.ok) return answer(request, reply, registered);
      return answer(
        request,
        reply,
        ok({ ...registered.value, vendorKeys: [...ctx.keyring.publicKeys] }),
        201,
      );
    },
  );
};

export const listSitesRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/sites',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'listSites',
        summary: 'List the site servers.',
        tags: ['admin'],
        response: {
          200: Type.Object({
            sites: Type.Array(
              Type.Object({
                ...SiteSchema.properties,
                serials: Type.Array(Type.String()),
                lastReportAt: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...problems(401),
        },
      },
    },
    async () => ({ sites: await listSites(ctx) }),
  );
};

export const showSiteRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/sites/:id',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'showSite',
        summary: 'A site server: the serials issued to it, their renewals, and its latest report.',
        tags: ['admin'],
        params: SiteParams,
        response: {
          200: Type.Object({
            site: SiteSchema,
            serials: Type.Array(Type.String()),
            renewals: Type.Array(RenewalSchema),
            report: Type.Union([
              Type.Object({ ...SiteReportSchema.properties, receivedAt: Type.String() }),
              Type.Null(),
            ]),
          }),
          ...problems(400, 401, 404),
        },
      },
    },
    async (request, reply) => answer(request, reply, await siteDetails(ctx, request.params.id)),
  );
};

export const siteCertificateRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/sites/:id/certificate',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'getSiteCertificate',
        summary: "A site server's certificate, to install on it.",
        tags: ['admin'],
        params: SiteParams,
        response: { 200: SiteCertificateFile, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const site = await ctx.sites.find(request.params.id);
      if (site === undefined) return answer(request, reply, refuse('SITE_NOT_FOUND'));
      return { site, certificate: certificateOf(ctx, site), vendorKeys: [...ctx.keyring.publicKeys] };
    },
  );
};

export const issueSiteLicenseRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/sites/:id/licenses',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'issueSiteLicense',
        summary: 'Issue a serial to a site server: a key file only it can open.',
        tags: ['admin'],
        params: SiteParams,
        body: Type.Object(
          { license: Type.String({ minLength: 1, maxLength: 200, description: 'License id or serial.' }) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            serial: Type.String(),
            file: Type.String({ description: 'The site license key file (keyward site license add).' }),
          }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) =>
      answer(request, reply, await issueSiteLicense(ctx, request.params.id, request.body.license), 201),
  );
};
