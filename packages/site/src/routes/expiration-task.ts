import { Type } from '@fastify/type-provider-typebox';
import { ok } from '@keyward/core';
import { answer, type SiteRoute } from '../http/site-app.js';

const KeyOutcomeSchema = Type.Object({
  serial: Type.String(),
  outcome: Type.String({
    description:
      'expiring: no renewal (expiration notification); incompatible: added, not propagated; renewed: added and propagated; failed: see error, tried again next run.',
  }),
  renewalSerial: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Optional(Type.Object({ mismatch: Type.String(), message: Type.String() })),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});

/** Runs the License key expiration task now, as the schedule would, and answers what it did. */
export const runExpirationTaskRoute: SiteRoute = (app, ctx) => {
  app.post(
    '/v1/site/tasks/license-expiration/run',
    {
      schema: {
        operationId: 'runExpirationTask',
        response: {
          200: Type.Object({
            ranAt: Type.String(),
            enabled: Type.Boolean(),
            daysBefore: Type.Integer(),
            keys: Type.Array(KeyOutcomeSchema),
            removed: Type.Array(Type.String(), { description: 'Replaced keys no child used any more.' }),
          }),
        },
      },
    },
    async (request, reply) => {
      const run = await ctx.expiration.run();
      await ctx.reporter.report();
      return answer(request, reply, ok(run));
    },
  );
};
