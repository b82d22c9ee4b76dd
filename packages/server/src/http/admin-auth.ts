import { keywardError } from '@keyward/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { type AdminIdentity, findAdminToken } from '../vendor/admin-tokens.js';
import type { KeywardApp } from './keyward-app.js';
import { sendProblem } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The admin token that passed `requireAdmin`; null on every other request. */
    admin: AdminIdentity | null;
  }
}

/** How the OpenAPI document names the admin token; every admin route's schema lists it. */
export const ADMIN_SECURITY = [{ adminToken: [] }];

/** Gives every request its `admin` slot, empty until `requireAdmin` fills it. */
export function decorateAdmin(app: KeywardApp): void {
  app.decorateRequest('admin', null);
}

/** Guards the vendor's admin API: `Authorization: Bearer kw_admin_...`. */
export function requireAdmin(ctx: ServerContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    const admin = token === '' ? undefined : await findAdminToken(ctx.db, token);
    if (admin === undefined) return sendProblem(request, reply, keywardError('UNAUTHORIZED'));
    request.admin = admin;
  };
}

/** The admin behind a request to a guarded route; a route without the guard asking is a bug. */
export function adminOf(request: FastifyRequest): AdminIdentity {
  if (request.admin === null) throw new Error(`${request.url} asked for the admin without requireAdmin`);
  return request.admin;
}
