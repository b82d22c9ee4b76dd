import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply } from 'fastify';
import type { PortalUser } from './portal-sessions.js';

/** The templates ship beside the compiled code: packages/server/views. */
export const VIEWS_DIR = fileURLToPath(new URL('../../views/', import.meta.url));

/** Escapes every `<%= %>` by default; only `<%~ %>` (used for the layout body alone) does not. */
const eta = new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true });

/** What every page's layout needs: its title, who is signed in, and the form token. */
export interface PageFrame {
  readonly title: string;
  readonly user: PortalUser | null;
  readonly csrf: string;
  /** The navigation entry to mark as current. */
  readonly section?: string;
}

/** A form's refusal: the message shown beside each field it concerns, and above the form. */
export interface FormErrors {
  readonly summary?: string;
  readonly fields?: Readonly<Record<string, string>>;
}

export function renderPage(
  reply: FastifyReply,
  view: string,
  frame: PageFrame,
  data: Readonly<Record<string, unknown>> = {},
  status = 200,
): FastifyReply {
  const html = eta.render(view, { ...data, frame });
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}
