import { Type } from '@fastify/type-provider-typebox';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { problems } from '../http/schemas.js';
import { unlockFromCode, unlockFromRequest } from '../licensing/unlock-service.js';

const ByFile = Type.Object(
  {
    request: Type.String({
      minLength: 1,
      maxLength: 200_000,
      description: 'The activation request file (armored text) the customer sent.',
    }),
  },
  { additionalProperties: false },
);

const ByCode = Type.Object(
  {
    serial: Type.String({ minLength: 1, maxLength: 64, description: 'The serial the customer gives.' }),
    requestCode: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'The activation request code the customer reads out (groups of 5 characters).',
    }),
  },
  { additionalProperties: false },
);

/**
 * E-mail, fax or phone activation: the customer's activation request (a file, or the serial and
 * a request code) in, the Unlock Key out in the same form.
 */
export const unlockLicenseRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/licenses/unlock',
    {
      config: { access: 'support' },
      schema: {
        operationId: 'unlockLicense',
        summary:
          'Bind a serial from an activation request (file, or serial and request code) and return the Unlock Key (file, or code).',
        tags: ['admin'],
        body: Type.Union([ByFile, ByCode]),
        response: {
          200: Type.Object({
            serial: Type.String(),
            unlockKey: Type.Optional(
              Type.String({ description: 'The Unlock Key file (armored text) to send back.' }),
            ),
            unlockCode: Type.Optional(
              Type.String({ description: 'The Unlock Key code to read back to the customer.' }),
            ),
          }),
          ...problems(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if ('request' in body) {
        const unlocked = await unlockFromRequest(ctx, body.request);
        return answer(
          request,
          reply,
          unlocked.ok
            ? { ok: true, value: { serial: unlocked.value.serial, unlockKey: unlocked.value.file } }
            : unlocked,
        );
      }
      const unlocked = await unlockFromCode(ctx, body.serial, body.requestCode);
      return answer(
        request,
        reply,
        unlocked.ok
          ? { ok: true, value: { serial: unlocked.value.serial, unlockCode: unlocked.value.code } }
          : unlocked,
      );
    },
  );
};
