import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import type { RouteModule } from '../http/keyward-app.js';
import { sendProblem } from '../http/problem.js';
import { rateCounter, sendRateLimited } from '../http/rate-limits.js';
import { ContainerMessageSchema, problems, SignedEnvelopeSchema } from '../http/schemas.js';
import { type MachineRefusal, presentSerial, releaseSerial } from '../licensing/activation-server.js';
import { type ContainerMessage, namedSerial } from '../licensing/container-message.js';
import { recordMachineEvent } from '../licensing/machine-audit.js';

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

/**
 * Refusals and releases are security events: a serial tried on a second computer, a forged or
 * replayed request, a license moved away. Each goes to the audit log with where it came from.
 */
function auditMachineEvent(
  ctx: ServerContext,
  request: FastifyRequest,
  action: string,
  event: Partial<MachineRefusal>,
): Promise<void> {
  return recordMachineEvent(ctx, {
    action,
    serial: event.serial,
    outcome: event.error?.code ?? 'ok',
    detail: { requestId: request.id, ip: request.ip },
  });
}

export const machineRoutes: RouteModule = (app, ctx) => {
  // A serial activated again and again (a leaked key, a script) is slowed down; its periodic
  // checks are not counted.
  const activations = rateCounter(
    app,
    ctx.config.activationsPerHour,
    3_600_000,
    (request) => `serial:${namedSerial(request.body as ContainerMessage) ?? request.ip}`,
  );
  for (const presentation of PRESENTATIONS) {
    app.post(
      presentation.path,
      {
        schema: {
          operationId: presentation.operationId,
          summary: presentation.summary,
          tags: ['machine'],
          body: ContainerMessageSchema,
          response: { 200: GrantResponse, ...problems(400, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        if (presentation.operationId === 'activate') {
          const wait = await activations.count(request);
          if (wait !== undefined) return sendRateLimited(request, reply, wait, 'activations of this serial');
        }
        const grant = await presentSerial(ctx, request.body);
        ctx.metrics.checks.inc({ outcome: grant.ok ? 'granted' : grant.error.error.code });
        if (grant.ok) return reply.send({ grant: grant.value });
        await auditMachineEvent(ctx, request, `${presentation.operationId}.refused`, grant.error);
        return sendProblem(request, reply, grant.error.error, grant.error.signed);
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
      if (!receipt.ok) {
        await auditMachineEvent(ctx, request, 'deactivate.refused', receipt.error);
        return sendProblem(request, reply, receipt.error.error, receipt.error.signed);
      }
      await auditMachineEvent(ctx, request, 'deactivate', { serial: receipt.value.serial });
      return reply.send({ receipt: receipt.value.receipt });
    },
  );
};
