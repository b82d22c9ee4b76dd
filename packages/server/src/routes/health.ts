import { Type } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../http/keyward-app.js';

export const healthRoute: RouteModule = (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'health',
        tags: ['operations'],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
};
