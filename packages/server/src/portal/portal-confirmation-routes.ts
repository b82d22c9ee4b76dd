import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { lookUpConfirmation } from '../orders/confirmation-lookup.js';
import { orderRow } from './portal-order-view.js';
import type { PortalContext } from './portal-plugin.js';
import { type FormErrors, renderPage } from './portal-views.js';

/** Confirmation look-ups per address and minute: the credentials are long, so guessing is hopeless anyway. */
const LOOK_UP_LIMIT = { rateLimit: { max: 20, timeWindow: '1 minute' } };

const NOT_FOUND: FormErrors = { summary: 'No processed order has this confirmation username and password.' };

interface LookUpForm {
  readonly username?: string;
  readonly password?: string;
}

/**
 * The confirmation look-up (000, "please confirm it online ... using the username and password
 * above"): a processed order opened with the credentials of its e-mail, without signing in, and
 * its upgrade file downloaded again.
 */
export function portalConfirmationRoutes(app: FastifyInstance, portal: PortalContext): void {
  const lookUpPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors = {},
    username = '',
  ) =>
    renderPage(
      reply,
      'confirmation-lookup',
      { title: 'Look up a processed order', user: request.portalUser, csrf: await reply.generateCsrf() },
      { errors, username },
      errors.summary === undefined && errors.fields === undefined ? 200 : 422,
    );

  app.get('/confirmation', async (request, reply) => lookUpPage(request, reply));

  const credentials = (request: FastifyRequest) => {
    const form = (request.body ?? {}) as LookUpForm;
    return { username: form.username?.trim() ?? '', password: form.password?.trim() ?? '' };
  };

  app.post('/confirmation', { config: LOOK_UP_LIMIT }, async (request, reply) => {
    const { username, password } = credentials(request);
    const fields: Record<string, string> = {};
    if (username === '') fields.username = 'Enter the confirmation username from the e-mail.';
    if (password === '') fields.password = 'Enter the confirmation password from the e-mail.';
    if (Object.keys(fields).length > 0) return lookUpPage(request, reply, { fields }, username);
    const found = await lookUpConfirmation(portal.ctx, username, password);
    if (!found.ok) return lookUpPage(request, reply, NOT_FOUND, username);
    return renderPage(
      reply,
      'confirmation',
      { title: `Order ${found.value.order.id}`, user: request.portalUser, csrf: await reply.generateCsrf() },
      { order: orderRow(found.value.order), username, password, fileName: found.value.fileName },
    );
  });

  app.post('/confirmation/upgrade-file', { config: LOOK_UP_LIMIT }, async (request, reply) => {
    const { username, password } = credentials(request);
    const found = await lookUpConfirmation(portal.ctx, username, password);
    if (!found.ok) return lookUpPage(request, reply, NOT_FOUND, username);
    return reply
      .header('content-disposition', `attachment; filename="${found.value.fileName}"`)
      .type('application/octet-stream')
      .send(found.value.file);
  });
}
