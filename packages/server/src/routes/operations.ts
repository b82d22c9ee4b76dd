import { Type } from '@fastify/type-provider-typebox';
import { keywardError } from '@keyward/core';
import type { RouteModule } from '../http/keyward-app.js';
import { DATABASE_RETRY_AFTER_SECONDS, sendProblem } from '../http/problem.js';
import { NoQuery, problems } from '../http/schemas.js';

/** Liveness: the process answers, and in a `--workers` cluster says which worker it is. */
export const healthRoute: RouteModule = (app, ctx) => {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'health',
        summary: 'Liveness: the process answers.',
        tags: ['operations'],
        querystring: NoQuery,
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            worker: Type.Optional(Type.Integer({ minimum: 1 })),
          }),
          ...problems(400),
        },
      },
    },
    async () =>
      ctx.worker === undefined ? { status: 'ok' as const } : { status: 'ok' as const, worker: ctx.worker },
  );
};

/** Readiness: the database answers too; a load balancer sends traffic only then. */
export const readyRoute: RouteModule = (app, ctx) => {
  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'ready',
        summary: 'Readiness: the database answers.',
        tags: ['operations'],
        querystring: NoQuery,
        response: { 200: Type.Object({ status: Type.Literal('ready') }), ...problems(400, 503) },
      },
    },
    async (request, reply) => {
      if (await ctx.databaseAnswers()) return { status: 'ready' as const };
      return sendProblem(
        request,
        reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS)),
        keywardError('DATABASE_UNAVAILABLE', 'The database does not answer: try again in a moment.'),
      );
    },
  );
};

/**
 * Prometheus metrics: requests and latencies by route, activations, checks, updates, job lag.
 * Route names, outcomes and volumes are the vendor's business: the scraper sends a read token.
 */
export const metricsRoute: RouteModule = (app, ctx) => {
  app.get(
    '/metrics',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'metrics',
        summary: 'Prometheus metrics, in its text format.',
        tags: ['operations'],
        response: {
          200: {
            description: 'The metrics in the Prometheus text format.',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_request, reply) => {
      const body = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(body);
    },
  );
};
