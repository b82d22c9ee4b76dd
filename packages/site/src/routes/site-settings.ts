import { Type } from '@fastify/type-provider-typebox';
import { ok } from '@keyward/core';
import { answer, type SiteRoute } from '../http/site-app.js';
import { DAYS_BEFORE, HOOK_TIMEOUT_SECONDS, MAX_RECIPIENTS } from '../settings-rules.js';
import { SITE_EVENT_KINDS } from '../site-events.js';
import { viewOf } from '../site-settings.js';

const ExpirationTaskSchema = Type.Object({
  enabled: Type.Boolean({ description: 'Whether the License key expiration task runs.' }),
  daysBefore: Type.Integer({
    ...DAYS_BEFORE,
    description: 'How many days before a license expires the task looks for its renewal.',
  }),
});

const KindsSchema = Type.Object(
  Object.fromEntries(SITE_EVENT_KINDS.map((kind) => [kind, Type.Optional(Type.Boolean())])),
  { additionalProperties: false, description: 'Whether each kind of notification is sent.' },
);

const NotificationSettingsSchema = Type.Object({
  kinds: Type.Record(Type.String(), Type.Boolean()),
  mail: Type.Object({ to: Type.Array(Type.String()) }),
  webhook: Type.Object({
    url: Type.Union([Type.String(), Type.Null()]),
    secret: Type.Optional(
      Type.String({
        description: 'The signing secret (Standard Webhooks), answered only when the URL is set.',
      }),
    ),
  }),
  hook: Type.Object({
    path: Type.Union([Type.String(), Type.Null()]),
    timeoutSeconds: Type.Integer(),
  }),
});

export const showExpirationTaskRoute: SiteRoute = (app, ctx) => {
  app.get(
    '/v1/site/settings/expiration-task',
    { schema: { operationId: 'showExpirationTaskSettings', response: { 200: ExpirationTaskSchema } } },
    async (request, reply) => answer(request, reply, ok(await ctx.settings.expirationTask())),
  );
};

export const setExpirationTaskRoute: SiteRoute = (app, ctx) => {
  app.put(
    '/v1/site/settings/expiration-task',
    {
      schema: {
        operationId: 'setExpirationTaskSettings',
        description: 'Changes the settings given; the others stay.',
        body: Type.Partial(ExpirationTaskSchema, { additionalProperties: false }),
        response: { 200: ExpirationTaskSchema },
      },
    },
    async (request, reply) => answer(request, reply, await ctx.settings.setExpirationTask(request.body)),
  );
};

export const showNotificationSettingsRoute: SiteRoute = (app, ctx) => {
  app.get(
    '/v1/site/settings/notifications',
    { schema: { operationId: 'showNotificationSettings', response: { 200: NotificationSettingsSchema } } },
    async (request, reply) => answer(request, reply, ok(viewOf(await ctx.settings.notifications()))),
  );
};

export const setNotificationSettingsRoute: SiteRoute = (app, ctx) => {
  app.put(
    '/v1/site/settings/notifications',
    {
      schema: {
        operationId: 'setNotificationSettings',
        description:
          'Changes the settings given; the others stay. A new webhook URL gets a new secret, answered once.',
        body: Type.Object(
          {
            kinds: Type.Optional(KindsSchema),
            mail: Type.Optional(
              Type.Object(
                { to: Type.Array(Type.String({ maxLength: 254 }), { maxItems: MAX_RECIPIENTS }) },
                { additionalProperties: false },
              ),
            ),
            webhook: Type.Optional(
              Type.Object(
                { url: Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), Type.Null()]) },
                { additionalProperties: false },
              ),
            ),
            hook: Type.Optional(
              Type.Object(
                {
                  path: Type.Optional(
                    Type.Union([Type.String({ minLength: 1, maxLength: 4096 }), Type.Null()]),
                  ),
                  timeoutSeconds: Type.Optional(Type.Integer(HOOK_TIMEOUT_SECONDS)),
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: NotificationSettingsSchema },
      },
    },
    async (request, reply) => {
      const { kinds, mail, webhook, hook } = request.body;
      return answer(
        request,
        reply,
        await ctx.settings.setNotifications({
          kinds,
          mailTo: mail?.to,
          webhookUrl: webhook?.url,
          hookPath: hook?.path,
          hookTimeoutSeconds: hook?.timeoutSeconds,
        }),
      );
    },
  );
};
