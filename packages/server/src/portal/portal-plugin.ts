import { hkdfSync } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { portalAccountRoutes } from './portal-account-routes.js';
import { registerPortalAssets } from './portal-assets.js';
import { portalConfirmationRoutes } from './portal-confirmation-routes.js';
import { portalFleetRoutes } from './portal-fleet-routes.js';
import { portalOrderRoutes } from './portal-order-routes.js';
import { PortalSessions, type PortalUser } from './portal-sessions.js';
import { portalStaffRoutes } from './portal-staff-routes.js';
import { renderPage } from './portal-views.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is signed in to the portal; null when nobody is (and outside the portal). */
    portalUser: PortalUser | null;
  }
}

export const SESSION_COOKIE = 'kw_portal';
/** Upload limit of a key information file: far above any real one. */
const UPLOAD_LIMIT_BYTES = 256 * 1024;

/** What the portal's route files share. */
export interface PortalContext {
  readonly ctx: ServerContext;
  readonly sessions: PortalSessions;
}

/**
 * Cookies are signed with a key every server process derives alike from the vendor's signing
 * key, so a form rendered by one process is accepted by another.
 */
function cookieSecret(ctx: ServerContext): Buffer {
  const seed = ctx.keyring.signer.privateKey.export({ format: 'der', type: 'pkcs8' });
  return Buffer.from(hkdfSync('sha256', seed, 'keyward/v1/portal', 'cookie-signing', 32));
}

/** Whether the browser reached us over HTTPS (directly, or through a proxy we trust). */
export function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

function securityHeaders(reply: FastifyReply): void {
  reply
    .header(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store');
}

/**
 * The dealer portal and the vendor's staff pages, under /portal: server-rendered HTML with its own
 * cookies, form parsing, CSRF protection and error pages, apart from the JSON API.
 */
export async function registerPortal(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await app.register(
    async (portal) => {
      const shared: PortalContext = { ctx, sessions: new PortalSessions(ctx.db, ctx.now) };
      // Pages, not API operations: the OpenAPI document leaves them out.
      portal.addHook('onRoute', (route) => {
        route.schema = { ...route.schema, hide: true };
      });
      await portal.register(cookie, { secret: cookieSecret(ctx) });
      await portal.register(formbody, { bodyLimit: 64 * 1024 });
      await portal.register(multipart, {
        attachFieldsToBody: 'keyValues',
        limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 20 },
      });
      await portal.register(csrf, {
        cookieKey: 'kw_portal_csrf',
        cookieOpts: { path: '/portal', sameSite: 'strict', httpOnly: true, signed: true },
        getToken: (request) => (request.body as { _csrf?: string } | undefined)?._csrf,
      });
      await portal.register(rateLimit, { global: false });
      portal.decorateRequest('portalUser', null);
      portal.addHook('onRequest', async (request, reply) => {
        securityHeaders(reply);
        const token = request.cookies[SESSION_COOKIE];
        if (token !== undefined && token !== '')
          request.portalUser = (await shared.sessions.find(token)) ?? null;
      });
      // Every form posts its token; a POST without a valid one is refused before its handler runs.
      portal.addHook('preHandler', (request, reply, done) => {
        if (request.method !== 'POST') return done();
        portal.csrfProtection(request, reply, done);
      });
      portal.setErrorHandler((error: FastifyError, request, reply) => errorPage(reply, request, error));
      portal.setNotFoundHandler(async (request, reply) =>
        renderPage(
          reply,
          'not-found',
          { title: 'Page not found', user: request.portalUser, csrf: await reply.generateCsrf() },
          {},
          404,
        ),
      );
      registerPortalAssets(portal);
      portalAccountRoutes(portal, shared);
      portalOrderRoutes(portal, shared);
      portalConfirmationRoutes(portal, shared);
      portalStaffRoutes(portal, shared);
      portalFleetRoutes(portal, shared);
    },
    { prefix: '/portal' },
  );
}

async function errorPage(reply: FastifyReply, request: FastifyRequest, error: FastifyError) {
  const status = error.statusCode ?? 500;
  const message =
    error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET'
      ? 'This form has expired or was not sent from the portal. Go back, reload the page and try again.'
      : error.code === 'FST_REQ_FILE_TOO_LARGE'
        ? 'The file is too large to be a key information file.'
        : status === 429
          ? 'Too many attempts. Wait a minute and try again.'
          : status < 500
            ? 'The request could not be understood. Go back and try again.'
            : 'Something went wrong on the server. Try again in a moment.';
  if (status >= 500) request.log.error({ err: error }, 'portal request failed');
  return renderPage(
    reply,
    'error',
    { title: 'Something went wrong', user: request.portalUser, csrf: await reply.generateCsrf() },
    { message },
    status,
  );
}
