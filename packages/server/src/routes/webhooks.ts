import { Type } from '@fastify/type-provider-typebox';
import { ok, refuse } from '@keyward/core';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { problems } from '../http/schemas.js';
import { WEBHOOK_EVENTS } from '../webhooks/webhook-events.js';

const EndpointSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Type.String(),
});

const SecretSchema = Type.String({
  description: 'The Standard Webhooks signing secret (whsec_...): answered only here, never again.',
});

const DeliverySchema = Type.Object({
  id: Type.String(),
  endpointId: Type.String(),
  eventId: Type.String(),
  eventType: Type.String(),
  state: Type.String(),
  attempts: Type.Integer(),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

/**
 * Webhook endpoints: events in the Standard Webhooks format, signed with the endpoint's own
 * secret, retried until acknowledged. The secret is answered once, when it is made.
 */
export const webhookRoutes: RouteModule = (app, ctx) => {
  app.post(
    '/v1/webhooks',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'createWebhook',
        summary: 'Register a webhook endpoint for license events.',
        tags: ['admin'],
        body: Type.Object(
          {
            url: Type.String({ pattern: '^https?://', maxLength: 2000 }),
            events: Type.Array(Type.Union(WEBHOOK_EVENTS.map((event) => Type.Literal(event))), {
              minItems: 1,
              maxItems: WEBHOOK_EVENTS.length,
              uniqueItems: true,
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ ...EndpointSchema.properties, secret: SecretSchema }),
          ...problems(400, 401),
        },
      },
    },
    async (request, reply) => {
      const { endpoint, secret } = await ctx.webhooks.create(
        request.body.url,
        request.body.events,
        ctx.now().toISOString(),
      );
      return answer(request, reply, ok({ ...endpoint, events: [...endpoint.events], secret }), 201);
    },
  );
  app.get(
    '/v1/webhooks',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'listWebhooks',
        summary: 'List the webhook endpoints.',
        tags: ['admin'],
        response: { 200: Type.Object({ webhooks: Type.Array(EndpointSchema) }), ...problems(401) },
      },
    },
    async () => ({
      webhooks: (await ctx.webhooks.list()).map((endpoint) => ({
        ...endpoint,
        events: [...endpoint.events],
      })),
    }),
  );
  app.post(
    '/v1/webhooks/:id/disable',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'disableWebhook',
        summary: 'Stop sending events to an endpoint.',
        tags: ['admin'],
        params: IdParams,
        response: { 200: Type.Object({ disabled: Type.Boolean() }), ...problems(401, 404) },
      },
    },
    async (request, reply) => {
      const disabled = await ctx.webhooks.disable(request.params.id);
      return answer(
        request,
        reply,
        disabled ? ok({ disabled }) : refuse('NOT_FOUND', 'No webhook endpoint has this id.'),
      );
    },
  );
  app.post(
    '/v1/webhooks/:id/rotate-secret',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'rotateWebhookSecret',
        summary: "Replace an endpoint's signing secret; the new one is answered this once.",
        tags: ['admin'],
        description:
          'Replaces the endpoint secret at once: every attempt from now on, retries included, is signed with the new one only.',
        params: IdParams,
        response: { 200: Type.Object({ id: Type.String(), secret: SecretSchema }), ...problems(401, 404) },
      },
    },
    async (request, reply) => {
      const secret = await ctx.webhooks.rotateSecret(request.params.id);
      return answer(
        request,
        reply,
        secret === undefined
          ? refuse('NOT_FOUND', 'No webhook endpoint has this id.')
          : ok({ id: request.params.id, secret }),
      );
    },
  );
  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'listWebhookDeliveries',
        summary: 'The latest deliveries to an endpoint, with their attempts.',
        tags: ['admin'],
        params: IdParams,
        response: { 200: Type.Object({ deliveries: Type.Array(DeliverySchema) }), ...problems(401) },
      },
    },
    async (request) => ({ deliveries: await ctx.webhooks.deliveries(request.params.id) }),
  );
};
