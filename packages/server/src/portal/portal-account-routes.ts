import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateDealer } from '../orders/dealer-service.js';
import { safeNext } from './portal-guards.js';
import { isHttps, type PortalContext, SESSION_COOKIE } from './portal-plugin.js';
import { PORTAL_SESSION_HOURS, type PortalUser } from './portal-sessions.js';
import { type FormErrors, renderPage } from './portal-views.js';

/** Sign-in attempts per address and minute: enough for typos, too few to guess. */
const SIGN_IN_LIMIT = { rateLimit: { max: 10, timeWindow: '1 minute' } };

interface SignInForm {
  readonly username?: string;
  readonly password?: string;
  readonly token?: string;
  /** The page asked for before signing in. */
  readonly next?: string;
}

/** Where a signed-in user starts. */
export function homeOf(user: PortalUser): string {
  return user.kind === 'staff' ? '/portal/staff/orders' : '/portal/orders';
}

async function signInPage(
  reply: FastifyReply,
  errors: { dealer?: FormErrors; staff?: FormErrors } = {},
  username = '',
  next?: string,
) {
  return renderPage(
    reply,
    'login',
    { title: 'Sign in', user: null, csrf: await reply.generateCsrf() },
    { errors, username, next: safeNext(next) ?? '' },
    errors.dealer !== undefined || errors.staff !== undefined ? 401 : 200,
  );
}

async function signIn(
  portal: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  user: PortalUser,
  next?: string,
) {
  const token = await portal.sessions.open(user);
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/portal',
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(request),
    maxAge: PORTAL_SESSION_HOURS * 3600,
  });
  const wanted = safeNext(next);
  const allowed = wanted !== undefined && wanted.startsWith('/portal/staff/') === (user.kind === 'staff');
  return reply.redirect(allowed ? wanted : homeOf(user), 303);
}

/** Signing in and out: dealers with their login and password, the vendor's staff with an admin token. */
export function portalAccountRoutes(app: FastifyInstance, portal: PortalContext): void {
  app.get('/', async (request, reply) =>
    reply.redirect(request.portalUser === null ? '/portal/login' : homeOf(request.portalUser), 303),
  );

  app.get<{ Querystring: { next?: string } }>('/login', async (request, reply) =>
    request.portalUser === null
      ? signInPage(reply, {}, '', request.query.next)
      : reply.redirect(homeOf(request.portalUser), 303),
  );

  app.post('/login', { config: SIGN_IN_LIMIT }, async (request, reply) => {
    const form = (request.body ?? {}) as SignInForm;
    const username = form.username?.trim() ?? '';
    const password = form.password ?? '';
    if (username === '' || password === '') {
      const fields: Record<string, string> = {};
      if (username === '') fields.username = 'Enter your username.';
      if (password === '') fields.password = 'Enter your password.';
      return signInPage(reply, { dealer: { fields } }, username, form.next);
    }
    const dealer = await authenticateDealer(portal.ctx, username, password);
    if (!dealer.ok) {
      return signInPage(
        reply,
        { dealer: { summary: 'The username or password is wrong. Both are in your order e-mail.' } },
        username,
        form.next,
      );
    }
    return signIn(
      portal,
      request,
      reply,
      { kind: 'dealer', id: dealer.value.id, name: dealer.value.name },
      form.next,
    );
  });

  app.post('/staff/login', { config: SIGN_IN_LIMIT }, async (request, reply) => {
    const form = (request.body ?? {}) as SignInForm;
    const token = form.token?.trim() ?? '';
    const holder = await portal.ctx.tokens.authenticate(token, portal.ctx.now());
    const admin = holder.ok && holder.value.scope === 'admin' ? holder.value : undefined;
    if (admin === undefined) {
      return signInPage(reply, {
        staff: { fields: { token: 'This is not an admin token of this server.' } },
      });
    }
    return signIn(portal, request, reply, { kind: 'staff', id: admin.id, name: admin.name }, form.next);
  });

  app.post('/logout', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token !== undefined) await portal.sessions.close(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/portal' });
    return reply.redirect('/portal/login?signed-out=1', 303);
  });
}
