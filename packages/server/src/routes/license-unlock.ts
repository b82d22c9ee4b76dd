import { Type } from '@fastify/type-provider-typebox';
import { ADMIN_SECURITY, requireAdmin } from '../http/admin-auth.js';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { problems } from '../http/schemas.js';
import { unlockFromRequest } from '../licensing/unlock-service.js';

/** E-mail or fax activation: the customer's activation request file in, the Unlock Key out. */
export const unlockLicenseRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/licenses/unlock',
    {
      preHandler: requireAdmin(ctx),
      schema: {
        operationId: 'unlockLicense',
        summary: 'Bind a serial from an activation request file and return the Unlock Key.',
        tags: ['admin'],
        security: ADMIN_SECURITY,
        body: Type.Object(
          {
            request: Type.String({
              minLength: 1,
              maxLength: 200_000,
              description: 'The activation request file (armored text) the customer sent.',
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            serial: Type.String(),
            unlockKey: Type.String({ description: 'The Unlock Key file (armored text) to send back.' }),
          }),
          ...problems(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const unlocked = await unlockFromRequest(ctx, request.body.request);
      return answer(
        request,
        reply,
        unlocked.ok
          ? { ok: true, value: { serial: unlocked.value.serial, unlockKey: unlocked.value.file } }
          : unlocked,
      );
    },
  );
};
