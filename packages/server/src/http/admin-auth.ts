import { keywardError } from '@keyward/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { isAdminToken } from '../vendor/admin-tokens.js';
import { sendProblem } from './problem.js';

/** How the OpenAPI document names the admin token; every admin route's schema lists it. */
export const ADMIN_SECURITY = [{ adminToken: [] }];

/** Guards the vendor's admin API: `Authorization: Bearer kw_admin_...`. */
export function requireAdmin(ctx: ServerContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (token === '' || !(await isAdminToken(ctx.db, token))) {
      return sendProblem(request, reply, keywardError('UNAUTHORIZED'));
    }
  };
}
