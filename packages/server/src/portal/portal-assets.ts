import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { VIEWS_DIR } from './portal-views.js';

/** The portal's own style sheet and script: no external assets, so the pages work offline and under a strict CSP. */
const ASSETS = {
  'portal.css': 'text/css; charset=utf-8',
  'portal.js': 'text/javascript; charset=utf-8',
} as const;

export function registerPortalAssets(portal: FastifyInstance): void {
  for (const [name, type] of Object.entries(ASSETS)) {
    const body = readFileSync(join(VIEWS_DIR, 'assets', name));
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    portal.get(`/assets/${name}`, async (request, reply) => {
      reply.header('cache-control', 'public, max-age=3600').header('etag', etag).type(type);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.send(body);
    });
  }
}
