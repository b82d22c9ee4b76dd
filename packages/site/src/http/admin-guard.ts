import { keywardError } from '@keyward/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isSiteAdminToken } from '../admin-tokens.js';
import type { SiteContext } from '../context.js';
import { sendProblem } from './site-app.js';

/** Guards the site's administration: `Authorization: Bearer kw_site_...`. */
export function requireSiteAdmin(ctx: SiteContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (token === '' || !(await isSiteAdminToken(ctx.db, token)))
      return sendProblem(request, reply, keywardError('UNAUTHORIZED'));
  };
}
