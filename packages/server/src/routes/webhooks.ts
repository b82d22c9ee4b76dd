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

/** Webhook endpoints: events signed with the vendor's key, retried until acknowledged. */
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
              uniqueItems: true,
            }),
          },
          { additionalProperties: false },
        ),
        response: { 201: EndpointSchema, ...problems(400, 401) },
      },
    },
    async (request, reply) => {
      const endpoint = await ctx.webhooks.create(
        request.body.url,
        request.body.events,
        ctx.now().toISOString(),
      );
      return answer(request, reply, ok({ ...endpoint, events: [...endpoint.events] }), 201);
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
