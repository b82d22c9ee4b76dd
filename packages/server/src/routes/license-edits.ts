import { Type } from '@fastify/type-provider-typebox';
import { actorOf } from '../http/admin-api.js';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { LicenseSchema, problems, RefParams } from '../http/schemas.js';
import { findLicenseByRef } from '../licensing/license-ref.js';
import { ArchiveBody } from './archive-body.js';

const EditLicenseBody = Type.Object(
  {
    note: Type.Union([Type.String({ maxLength: 1000 }), Type.Null()], {
      description: 'Free text, e.g. the customer or order; null clears it.',
    }),
  },
  { additionalProperties: false },
);

export const editLicenseRoutes: RouteModule = (app, ctx) => {
  app.patch(
    '/v1/licenses/:ref',
    {
      config: { access: 'support' },
      schema: {
        operationId: 'editLicense',
        summary:
          "Change a license's note. Its terms are signed for its container: they change only by an update.",
        tags: ['admin'],
        params: RefParams,
        body: EditLicenseBody,
        response: { 200: LicenseSchema, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const license = await findLicenseByRef(ctx, request.params.ref);
      if (!license.ok) return answer(request, reply, license);
      const audit = { reason: null, by: actorOf(request) };
      const at = ctx.now().toISOString();
      return answer(request, reply, await ctx.licenses.editNote(license.value, request.body.note, audit, at));
    },
  );

  app.post(
    '/v1/licenses/:ref/archive',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'archiveLicense',
        summary:
          'Archive a revoked or expired license: hidden from lists, it takes no more updates (LICENSE_STILL_VALID while it can be used).',
        tags: ['admin'],
        params: RefParams,
        body: ArchiveBody,
        response: { 200: LicenseSchema, ...problems(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const license = await findLicenseByRef(ctx, request.params.ref);
      if (!license.ok) return answer(request, reply, license);
      const audit = { reason: request.body.reason ?? null, by: actorOf(request) };
      return answer(request, reply, await ctx.licenses.archive(license.value, audit, ctx.now()));
    },
  );
};
