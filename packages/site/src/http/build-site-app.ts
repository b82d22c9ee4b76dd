import { randomUUID } from 'node:crypto';
import { type KeywardError, keywardError } from '@keyward/core';
import Fastify, { type FastifyError } from 'fastify';
import type { SiteContext } from '../context.js';
import { runExpirationTaskRoute } from '../routes/expiration-task.js';
import { helloRoute, receiveDonationRoute, withdrawDonationRoute } from '../routes/neighbour-exchange.js';
import { addNeighbourRoute, listNeighboursRoute, removeNeighbourRoute } from '../routes/neighbours.js';
import {
  propagateToNeighbourRoute,
  propagateToStationsRoute,
  unpropagateRoute,
} from '../routes/propagation.js';
import { installCertificateRoute, showSiteRoute } from '../routes/site-identity.js';
import {
  addLicenseRoute,
  exportLicenseRoute,
  listLicensesRoute,
  removeLicenseRoute,
} from '../routes/site-licenses.js';
import { listNotificationsRoute } from '../routes/site-notifications.js';
import {
  setExpirationTaskRoute,
  setNotificationSettingsRoute,
  showExpirationTaskRoute,
  showNotificationSettingsRoute,
} from '../routes/site-settings.js';
import { heartbeatRoute, releaseRoute, takeLeaseRoute } from '../routes/station-leases.js';
import { requireSiteAdmin } from './admin-guard.js';
import { type SiteApp, type SiteRoute, sendProblem } from './site-app.js';

/** The site administrator's operations: registered inside one guarded scope, so none is left open. */
const ADMIN_ROUTES: readonly SiteRoute[] = [
  runExpirationTaskRoute,
  showSiteRoute,
  installCertificateRoute,
  addLicenseRoute,
  listLicensesRoute,
  exportLicenseRoute,
  removeLicenseRoute,
  addNeighbourRoute,
  listNeighboursRoute,
  removeNeighbourRoute,
  propagateToNeighbourRoute,
  propagateToStationsRoute,
  unpropagateRoute,
  showExpirationTaskRoute,
  setExpirationTaskRoute,
  showNotificationSettingsRoute,
  setNotificationSettingsRoute,
  listNotificationsRoute,
];

/** What stations call: every answer they act on is signed by the site key. */
const STATION_ROUTES: readonly SiteRoute[] = [takeLeaseRoute, heartbeatRoute, releaseRoute];

/** What neighbour site servers call: each document carries the vendor's certificate of its sender. */
const NEIGHBOUR_ROUTES: readonly SiteRoute[] = [helloRoute, receiveDonationRoute, withdrawDonationRoute];

function refusalOf(error: FastifyError): KeywardError | undefined {
  if (error.validation !== undefined)
    return keywardError('VALIDATION_FAILED', `The request is not valid: ${error.message}.`);
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return keywardError('MALFORMED_REQUEST');
  return error.statusCode !== undefined && error.statusCode < 500
    ? keywardError('VALIDATION_FAILED', error.message)
    : undefined;
}

export async function buildSiteApp(ctx: SiteContext): Promise<SiteApp> {
  const app: SiteApp = Fastify({
    logger: ctx.config.logLevel === 'silent' ? false : { level: ctx.config.logLevel },
    bodyLimit: 512 * 1024,
    genReqId: () => randomUUID(),
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  }).withTypeProvider();
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const refusal = refusalOf(error);
    if (refusal !== undefined) return sendProblem(request, reply, refusal);
    request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, keywardError('INTERNAL_ERROR'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      keywardError('NOT_FOUND', `Nothing exists at ${request.method} ${request.url}.`),
    ),
  );
  app.get('/healthz', async () => ({ status: 'ok' }));
  for (const route of STATION_ROUTES) route(app, ctx);
  for (const route of NEIGHBOUR_ROUTES) route(app, ctx);
  await app.register(async (admin: SiteApp) => {
    admin.addHook('onRequest', requireSiteAdmin(ctx));
    for (const route of ADMIN_ROUTES) route(admin, ctx);
  });
  return app;
}
