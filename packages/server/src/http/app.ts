import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { type KeywardError, keywardError } from '@keyward/core';
import Fastify, { type FastifyError } from 'fastify';
import type { ServerContext } from '../context.js';
import { registerPortal } from '../portal/portal-plugin.js';
import { auditRoutes } from '../routes/audit.js';
import { createDealerRoute, listDealersRoute, showDealerRoute } from '../routes/dealers.js';
import { editLicenseRoutes } from '../routes/license-edits.js';
import { licenseStatusRoutes } from '../routes/license-status.js';
import { unlockLicenseRoute } from '../routes/license-unlock.js';
import { createLicensesRoute, listLicensesRoute, showLicenseRoute } from '../routes/licenses.js';
import { machineRoutes } from '../routes/machine.js';
import { healthRoute, metricsRoute, readyRoute } from '../routes/operations.js';
import { processOrderOnlineRoute } from '../routes/order-processing.js';
import {
  authorizeOrderRoute,
  changeOrderRoutes,
  createOrderRoute,
  listOrdersRoute,
  showOrderRoute,
} from '../routes/orders.js';
import { createPolicyRoute, listPoliciesRoute } from '../routes/policies.js';
import { editPolicyRoutes } from '../routes/policy-edits.js';
import { editProductRoutes } from '../routes/product-edits.js';
import { createProductRoute, listProductsRoute } from '../routes/products.js';
import { listRenewalsRoute, removeRenewalRoute, tieRenewalRoute } from '../routes/renewals.js';
import { sdkConfigRoute, vendorKeysRoute } from '../routes/sdk-config.js';
import { fetchRenewalRoute, siteReportRoute } from '../routes/site-api.js';
import {
  issueSiteLicenseRoute,
  listSitesRoute,
  registerSiteRoute,
  showSiteRoute,
  siteCertificateRoute,
} from '../routes/sites.js';
import { grantTransfersRoute, releaseLicenseRoute, revokeLicenseRoute } from '../routes/support-desk.js';
import { tokenRoutes } from '../routes/tokens.js';
import {
  createUpdateRoute,
  listUpdatesRoute,
  pullUpdatesRoute,
  queueUpdateRoute,
  updateFileRoute,
} from '../routes/updates.js';
import { webhookRoutes } from '../routes/webhooks.js';
import { isConcurrentChange, isStorageFailure } from '../storage/storage-failure.js';
import { registerAdminApi, TOKEN_SECURITY_SCHEME } from './admin-api.js';
import type { KeywardApp, RouteModule } from './keyward-app.js';
import { DATABASE_RETRY_AFTER_SECONDS, sendProblem } from './problem.js';
import { RouteMethods } from './route-methods.js';
import { declareEdgeProblems, Problem } from './schemas.js';

/** Routes anyone may call: health, the vendor's public keys, and what computers and site servers send, signed. */
const PUBLIC_ROUTES: readonly RouteModule[] = [
  healthRoute,
  readyRoute,
  vendorKeysRoute,
  machineRoutes,
  pullUpdatesRoute,
  processOrderOnlineRoute,
  fetchRenewalRoute,
  siteReportRoute,
];

/** The admin API: behind the token guard, each route declaring the access it needs. */
const ADMIN_ROUTES: readonly RouteModule[] = [
  metricsRoute,
  tokenRoutes,
  auditRoutes,
  createProductRoute,
  listProductsRoute,
  editProductRoutes,
  createPolicyRoute,
  listPoliciesRoute,
  editPolicyRoutes,
  sdkConfigRoute,
  createLicensesRoute,
  listLicensesRoute,
  showLicenseRoute,
  editLicenseRoutes,
  licenseStatusRoutes,
  unlockLicenseRoute,
  releaseLicenseRoute,
  grantTransfersRoute,
  revokeLicenseRoute,
  createUpdateRoute,
  queueUpdateRoute,
  listUpdatesRoute,
  updateFileRoute,
  webhookRoutes,
  createDealerRoute,
  listDealersRoute,
  showDealerRoute,
  createOrderRoute,
  listOrdersRoute,
  showOrderRoute,
  authorizeOrderRoute,
  changeOrderRoutes,
  registerSiteRoute,
  listSitesRoute,
  showSiteRoute,
  siteCertificateRoute,
  issueSiteLicenseRoute,
  tieRenewalRoute,
  listRenewalsRoute,
  removeRenewalRoute,
];

/** Fastify's own failures (body parsing, schema validation) as Keyward refusals. */
function refusalOf(error: FastifyError): KeywardError | undefined {
  if (error.validation !== undefined)
    return keywardError('VALIDATION_FAILED', `The request is not valid: ${error.message}.`);
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return keywardError('MALFORMED_REQUEST');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return keywardError(
        'VALIDATION_FAILED',
        'The request body must be JSON (Content-Type: application/json).',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return keywardError('PAYLOAD_TOO_LARGE', `The request body is larger than ${BODY_LIMIT / 1024} KiB.`);
    case 'FST_ERR_BAD_URL':
      return keywardError('MALFORMED_REQUEST', 'The request address is not a valid URL.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return keywardError('URI_TOO_LONG', 'A part of the request address is longer than any Keyward name.');
    default:
      return error.statusCode !== undefined && error.statusCode < 500
        ? keywardError('VALIDATION_FAILED', error.message)
        : undefined;
  }
}

const BODY_LIMIT = 256 * 1024;

/** KEYWARD_TRUST_PROXY as Fastify takes it: a count of hops is the `hop`-th address from the socket. */
function trustedProxies(setting: ServerContext['config']['trustProxy']) {
  if (typeof setting === 'number') return (_address: string, hop: number) => hop < setting;
  return setting === false ? false : [...setting];
}

export async function buildApp(ctx: ServerContext): Promise<KeywardApp> {
  const routeMethods = new RouteMethods();
  const app: KeywardApp = Fastify({
    logger: ctx.config.logLevel === 'silent' ? false : { level: ctx.config.logLevel },
    bodyLimit: BODY_LIMIT,
    trustProxy: trustedProxies(ctx.config.trustProxy),
    // The router's own refusals (an address that does not decode, a part too long) are answered
    // like every other refusal.
    frameworkErrors: (error, request, reply) => {
      const refusal = refusalOf(error) ?? keywardError('MALFORMED_REQUEST');
      return sendProblem(request, reply, refusal);
    },
    // Unique across processes, and the caller's own id is kept when it sends one.
    genReqId: () => randomUUID(),
    requestIdHeader: 'x-request-id',
    // No type coercion: it would turn a JSON null into 0 or 0 into null. Query strings hold text.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  }).withTypeProvider();
  app.addSchema(Problem);
  app.decorateRequest('token', null);
  app.decorateReply('refusalCode', null);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Keyward vendor server',
        version: '1',
        description: 'Issues licenses, binds serials to computers, answers license checks and transfers.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          [TOKEN_SECURITY_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            description:
              'API token (kw_<scope>_...). The scopes an operation lists are those of the tokens it accepts: admin, support, read, dealer.',
          },
        },
      },
    },
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const refusal = refusalOf(error);
    if (refusal !== undefined) return sendProblem(request, reply, refusal);
    if (isConcurrentChange(error)) {
      request.log.warn({ err: error }, 'a transaction lost to another one');
      return sendProblem(request, reply, keywardError('CONFLICT'));
    }
    if (isStorageFailure(error)) {
      request.log.error({ err: error }, 'the database failed');
      return sendProblem(
        request,
        reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS)),
        keywardError('DATABASE_UNAVAILABLE'),
      );
    }
    request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, keywardError('INTERNAL_ERROR'));
  });
  app.addHook('onRoute', (route) => {
    routeMethods.add(route.url, route.method);
    declareEdgeProblems(route);
  });
  // Every answer names its request, so a caller can quote it to support, success or not.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = routeMethods.allowedFor(path);
    if (allowed.length > 0) {
      return sendProblem(
        request,
        reply.header('allow', allowed.join(', ')),
        keywardError('METHOD_NOT_ALLOWED', `${path} answers ${allowed.join(', ')}, not ${request.method}.`),
      );
    }
    return sendProblem(
      request,
      reply,
      keywardError('NOT_FOUND', `Nothing exists at ${request.method} ${request.url}.`),
    );
  });
  app.addHook('onResponse', (request, reply, done) => {
    ctx.metrics.answered(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  await app.register(rateLimit, { global: false });
  // A documented route outside the admin API asks for no token, and the document says so.
  app.addHook('onRoute', (route) => {
    if (route.schema !== undefined && route.schema.security === undefined)
      route.schema = { ...route.schema, security: [] };
  });
  for (const route of PUBLIC_ROUTES) route(app, ctx);
  await registerAdminApi(app, ctx, ADMIN_ROUTES);
  app.get('/openapi.json', { schema: { hide: true } }, async () => ({
    ...app.swagger(),
    servers: [{ url: ctx.portalUrl(), description: 'This vendor server' }],
  }));
  await registerPortal(app, ctx);
  return app;
}
