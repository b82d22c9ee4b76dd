import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PortalUser } from './portal-sessions.js';

/**
 * Pages for one kind of user: anyone else is sent to sign in (and back here afterwards, for a
 * page that can be asked for again).
 */
export function signedInAs(kind: PortalUser['kind']) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.portalUser?.kind === kind) return;
    const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
    return reply.redirect(`/portal/login${next}`, 303);
  };
}

/** The signed-in user of a guarded page; a page without the guard asking is a bug. */
export function userOf(request: FastifyRequest): PortalUser {
  if (request.portalUser === null)
    throw new Error(`${request.url} asked for the portal user without a guard`);
  return request.portalUser;
}

/** Where to go after signing in: back to the page asked for, only ever inside the portal. */
export function safeNext(next: unknown): string | undefined {
  return typeof next === 'string' && /^\/portal\/[A-Za-z0-9/_?=&.%-]*$/.test(next) && !next.startsWith('//')
    ? next
    : undefined;
}
