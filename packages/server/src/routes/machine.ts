import { Type } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../http/keyward-app.js';
import { sendProblem } from '../http/problem.js';
import { ContainerMessageSchema, problems, SignedEnvelopeSchema } from '../http/schemas.js';
import { presentSerial, releaseSerial } from '../licensing/activation-server.js';

const GrantResponse = Type.Object({ grant: SignedEnvelopeSchema });

/**
 * Activation and the periodic check are the same question to the activation server ("may this
 * computer use this serial?"); they differ only in when the application asks.
 */
const PRESENTATIONS = [
  { path: '/v1/machine/activate', operationId: 'activate', summary: 'Activate a serial on this computer.' },
  {
    path: '/v1/machine/check',
    operationId: 'checkLicense',
    summary: 'CheckLicense: confirm the serial is still bound here.',
  },
] as const;

export const machineRoutes: RouteModule = (app, ctx) => {
  for (const presentation of PRESENTATIONS) {
    app.post(
      presentation.path,
      {
        schema: {
          operationId: presentation.operationId,
          summary: presentation.summary,
          tags: ['machine'],
          body: ContainerMessageSchema,
          response: { 200: GrantResponse, ...problems(400, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const grant = await presentSerial(ctx, request.body);
        ctx.metrics.checks.inc({ outcome: grant.ok ? 'granted' : grant.error.error.code });
        return grant.ok
          ? reply.send({ grant: grant.value })
          : sendProblem(request, reply, grant.error.error, grant.error.signed);
      },
    );
  }

  app.post(
    '/v1/machine/deactivate',
    {
      schema: {
        operationId: 'deactivate',
        summary: 'Release the serial from this computer so it can move to another (a transfer).',
        tags: ['machine'],
        body: ContainerMessageSchema,
        response: { 200: Type.Object({ receipt: SignedEnvelopeSchema }), ...problems(400, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const receipt = await releaseSerial(ctx, request.body);
      return receipt.ok
        ? reply.send({ receipt: receipt.value })
        : sendProblem(request, reply, receipt.error.error, receipt.error.signed);
    },
  );
};
