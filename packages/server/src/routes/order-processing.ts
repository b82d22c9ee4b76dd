import { Type } from '@fastify/type-provider-typebox';
import { ok, UPDATE_REQUEST_KIND } from '@keyward/core';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { ContainerMessageSchema, problems } from '../http/schemas.js';
import { readContainerMessage } from '../licensing/container-message.js';
import { processOrderOnline } from '../orders/process-order-online.js';
import { OrderIdParams, UpgradeLineSchema } from './order-schemas.js';

const ProcessOrderBody = Type.Object(
  {
    ...ContainerMessageSchema.properties,
    authorizationNumber: Type.String({ minLength: 1, maxLength: 40 }),
  },
  { additionalProperties: false },
);

/**
 * The online path of an order: the customer's key sends its signed update request with the order's
 * authorization number, and receives the Key Upgrade file, issued as the portal would issue it.
 */
export const processOrderOnlineRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/machine/orders/:id/process',
    {
      schema: {
        operationId: 'processOrderOnline',
        summary: "Process an upgrade order for this key: the key's own contents are the From counts.",
        tags: ['machine'],
        params: OrderIdParams,
        body: ProcessOrderBody,
        response: {
          200: Type.Object({
            orderId: Type.String(),
            upgrade: Type.Array(UpgradeLineSchema),
            file: Type.String({ description: 'The Key Upgrade file (armored text).' }),
          }),
          ...problems(400, 403, 404, 409, 410, 423),
        },
      },
    },
    async (request, reply) => {
      const { authorizationNumber, ...message } = request.body;
      const read = readContainerMessage(message, UPDATE_REQUEST_KIND);
      if (!read.ok) return answer(request, reply, read);
      const proven = read.value.prove();
      if (!proven.ok) return answer(request, reply, proven);
      const upgraded = await processOrderOnline(ctx, {
        orderId: request.params.id,
        authorizationNumber,
        request: proven.value,
      });
      if (!upgraded.ok) return answer(request, reply, upgraded);
      const { orderId, lines, file } = upgraded.value;
      return answer(request, reply, ok({ orderId, upgrade: [...lines], file }));
    },
  );
};
