import type { KeywardError } from '@keyward/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { removeRenewal, tieRenewal } from '../sites/renewal-service.js';
import { listSites, siteDetails } from '../sites/site-view.js';
import { renewalRow, siteRow, siteView } from './portal-fleet-view.js';
import { signedInAs } from './portal-guards.js';
import type { PortalContext } from './portal-plugin.js';
import { type FormErrors, renderPage } from './portal-views.js';

type Form = Readonly<Record<string, unknown>>;

const text = (form: Form, name: string): string => {
  const value = form[name];
  return typeof value === 'string' ? value.trim() : '';
};

/** Where a refusal to tie a renewal is shown: beside the license it is about. */
function tieErrors(error: KeywardError): FormErrors {
  const aboutLicense = error.code === 'RENEWAL_EXISTS' || error.detail?.license !== undefined;
  return { fields: { [aboutLicense ? 'license' : 'renewal']: error.message } };
}

/**
 * The staff's fleet pages: the site servers with what each reported holding and where each key
 * is propagated, and the renewals waiting for site servers to fetch them.
 */
export function portalFleetRoutes(app: FastifyInstance, portal: PortalContext): void {
  const { ctx } = portal;
  const staffOnly = { preHandler: signedInAs('staff') };
  const frame = async (request: FastifyRequest, reply: FastifyReply, title: string, section: string) => ({
    title,
    user: request.portalUser,
    csrf: await reply.generateCsrf(),
    section,
  });

  app.get('/staff/sites', staffOnly, async (request, reply) =>
    renderPage(reply, 'staff-sites', await frame(request, reply, 'Sites', 'sites'), {
      sites: (await listSites(ctx)).map(siteRow),
    }),
  );

  app.get<{ Params: { id: string } }>('/staff/sites/:id', staffOnly, async (request, reply) => {
    const details = await siteDetails(ctx, request.params.id);
    if (!details.ok)
      return renderPage(reply, 'not-found', await frame(request, reply, 'Page not found', 'sites'), {}, 404);
    return renderPage(
      reply,
      'staff-site',
      await frame(request, reply, details.value.site.name, 'sites'),
      siteView(details.value),
    );
  });

  const renewalsPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: { errors?: FormErrors; license?: string; renewal?: string } = {},
  ) => {
    const renewals = (await ctx.renewals.list()).map(renewalRow);
    const errors = state.errors ?? {};
    return renderPage(
      reply,
      'staff-renewals',
      await frame(request, reply, 'Renewals', 'renewals'),
      {
        renewals,
        errors,
        license: state.license ?? '',
        renewal: state.renewal ?? '',
      },
      errors.summary === undefined && errors.fields === undefined ? 200 : 422,
    );
  };

  app.get('/staff/renewals', staffOnly, async (request, reply) => renewalsPage(request, reply));

  app.post('/staff/renewals', staffOnly, async (request, reply) => {
    const form = {
      license: text(request.body as Form, 'license'),
      renewal: text(request.body as Form, 'renewal'),
    };
    if (form.license === '' || form.renewal === '')
      return renewalsPage(request, reply, {
        ...form,
        errors: {
          fields: {
            ...(form.license === '' ? { license: 'Enter the serial number of the license to renew.' } : {}),
            ...(form.renewal === '' ? { renewal: 'Enter the serial number of the renewal license.' } : {}),
          },
        },
      });
    const tied = await tieRenewal(ctx, form.license, form.renewal);
    if (!tied.ok) return renewalsPage(request, reply, { ...form, errors: tieErrors(tied.error) });
    return reply.redirect('/portal/staff/renewals', 303);
  });

  app.post<{ Params: { id: string } }>('/staff/renewals/:id/remove', staffOnly, async (request, reply) => {
    const removed = await removeRenewal(ctx, request.params.id);
    if (!removed.ok) return renewalsPage(request, reply, { errors: { summary: removed.error.message } });
    return reply.redirect('/portal/staff/renewals', 303);
  });
}
