import { Type } from '@fastify/type-provider-typebox';
import type { LicenseStatus } from '@keyward/core';
import { actorOf } from '../http/admin-api.js';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { LicenseSchema, problems, RefParams } from '../http/schemas.js';
import { findLicenseByRef } from '../licensing/license-ref.js';

const StatusChangeBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);

/** Suspending refuses every later activation and check until the license is reinstated. */
const STATUS_CHANGES: ReadonlyArray<{
  action: string;
  operationId: string;
  status: LicenseStatus;
  summary: string;
}> = [
  {
    action: 'suspend',
    operationId: 'suspendLicense',
    status: 'suspended',
    summary: 'Suspend a license: its activations and checks are refused until it is reinstated.',
  },
  {
    action: 'reinstate',
    operationId: 'reinstateLicense',
    status: 'active',
    summary: 'Reinstate a suspended license.',
  },
];

export const licenseStatusRoutes: RouteModule = (app, ctx) => {
  for (const change of STATUS_CHANGES) {
    app.post(
      `/v1/licenses/:ref/${change.action}`,
      {
        config: { access: 'support' },
        schema: {
          operationId: change.operationId,
          summary: change.summary,
          tags: ['admin'],
          params: RefParams,
          body: Type.Optional(StatusChangeBody),
          response: { 200: LicenseSchema, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const license = await findLicenseByRef(ctx, request.params.ref);
        if (!license.ok) return answer(request, reply, license);
        const audit = { reason: request.body?.reason ?? null, by: actorOf(request) };
        const changed = await ctx.licenses.setStatus(
          license.value,
          change.status,
          audit,
          ctx.now().toISOString(),
        );
        return answer(request, reply, changed);
      },
    );
  }
};
