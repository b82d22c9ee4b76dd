import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findAdminToken } from '../vendor/admin-tokens.js';
import { isHttps, type PortalContext, SESSION_COOKIE } from './portal-plugin.js';
import { PORTAL_SESSION_HOURS, type PortalUser } from './portal-sessions.js';
import { type FormErrors, renderPage } from './portal-views.js';

/** Sign-in attempts per address and minute: enough for typos, too few to guess. */
const SIGN_IN_LIMIT = { rateLimit: { max: 10, timeWindow: '1 minute' } };

interface SignInForm {
  readonly username?: string;
  readonly password?: string;
  readonly token?: string;
}

/** Where a signed-in user starts. */
export function homeOf(user: PortalUser): string {
  return user.kind === 'staff' ? '/portal/staff/orders' : '/portal/orders';
}

async function signInPage(
  reply: FastifyReply,
  errors: { dealer?: FormErrors; staff?: FormErrors } = {},
  username = '',
) {
  return renderPage(
    reply,
    'login',
    { title: 'Sign in', user: null, csrf: await reply.generateCsrf() },
    { errors, username },
    errors.dealer !== undefined || errors.staff !== undefined ? 401 : 200,
  );
}

async function signIn(portal: PortalContext, request: FastifyRequest, reply: FastifyReply, user: PortalUser) {
  const token = await portal.sessions.open(user);
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/portal',
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(request),
    maxAge: PORTAL_SESSION_HOURS * 3600,
  });
  return reply.redirect(homeOf(user), 303);
}

/** Signing in and out: dealers with their login and password, the vendor's staff with an admin token. */
export function portalAccountRoutes(app: FastifyInstance, portal: PortalContext): void {
  app.get('/', async (request, reply) =>
    reply.redirect(request.portalUser === null ? '/portal/login' : homeOf(request.portalUser), 303),
  );

  app.get('/login', async (request, reply) =>
    request.portalUser === null ? signInPage(reply) : reply.redirect(homeOf(request.portalUser), 303),
  );

  app.post('/staff/login', { config: SIGN_IN_LIMIT }, async (request, reply) => {
    const token = ((request.body ?? {}) as SignInForm).token?.trim() ?? '';
    const admin = token === '' ? undefined : await findAdminToken(portal.ctx.db, token);
    if (admin === undefined) {
      return signInPage(reply, {
        staff: { fields: { token: 'This is not an admin token of this server.' } },
      });
    }
    return signIn(portal, request, reply, { kind: 'staff', id: admin.id, name: admin.name });
  });

  app.post('/logout', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token !== undefined) await portal.sessions.close(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/portal' });
    return reply.redirect('/portal/login?signed-out=1', 303);
  });
}
