import { Type } from '@fastify/type-provider-typebox';
import { ok } from '@keyward/core';
import { answer, type SiteRoute } from '../http/site-app.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const NotificationSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  createdAt: Type.String(),
  event: Type.Record(Type.String(), Type.Unknown(), {
    description: 'The event as mail, webhook and hook received it.',
  }),
  deliveries: Type.Array(
    Type.Object({
      channel: Type.String({ description: 'mail or webhook' }),
      target: Type.String({ description: 'The recipients or the webhook URL.' }),
      state: Type.String({ description: 'pending, sent, or failed after the last try' }),
      attempts: Type.Integer(),
      nextAttemptAt: Nullable(Type.String()),
      lastError: Nullable(Type.String()),
      sentAt: Nullable(Type.String()),
    }),
  ),
  hook: Type.Object({
    state: Type.String({ description: 'pending, succeeded, failed, timed_out, or skipped (no hook set)' }),
    exitCode: Type.Optional(Nullable(Type.Integer())),
    signal: Type.Optional(Nullable(Type.String())),
    stderr: Type.Optional(
      Nullable(Type.String({ description: 'The end of what the hook wrote to stderr.' })),
    ),
    error: Type.Optional(Nullable(Type.String({ description: 'Why the hook could not be started.' }))),
    ranAt: Type.Optional(Type.String()),
  }),
});

export const listNotificationsRoute: SiteRoute = (app, ctx) => {
  app.get(
    '/v1/site/notifications',
    {
      schema: {
        operationId: 'listSiteNotifications',
        querystring: Type.Object(
          {
            limit: Type.Optional(
              Type.String({ pattern: '^[1-9][0-9]{0,2}$', description: 'How many, 1 to 999 (default 100).' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ notifications: Type.Array(NotificationSchema) }) },
      },
    },
    async (request, reply) =>
      answer(
        request,
        reply,
        ok({
          notifications: await ctx.notifier.history(
            request.query.limit === undefined ? undefined : Number(request.query.limit),
          ),
        }),
      ),
  );
};
