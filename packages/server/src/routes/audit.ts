import { Type } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../http/keyward-app.js';

const AuditEntrySchema = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.String({ description: '`token:<id> (<name>)`, `machine` or `system`.' }),
  action: Type.String({ description: 'The API operation, or the machine event (e.g. `activate.refused`).' }),
  target: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String({ description: '`ok`, or the code of the refusal.' }),
  detail: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String(),
});

/** The audit log: read page by page, and its whole chain checked. */
export const auditRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/v1/audit',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'listAudit',
        summary: 'Read the audit log in order, a page at a time (the cursor is the last seq read).',
        tags: ['admin'],
        querystring: Type.Object(
          {
            after: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
            limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
            target: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            action: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ entries: Type.Array(AuditEntrySchema) }) },
      },
    },
    async (request) => {
      const { after, limit, target, action } = request.query;
      const entries = await ctx.audit.list({
        after: after === undefined ? undefined : Number(after),
        limit: Math.min(Math.max(Number(limit ?? 100), 1), 1000),
        target,
        action,
      });
      return { entries };
    },
  );

  app.get(
    '/v1/audit/verify',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'verifyAudit',
        summary: 'Check that no entry of the audit log was edited, removed or reordered.',
        tags: ['admin'],
        response: {
          200: Type.Object({
            intact: Type.Boolean(),
            entries: Type.Integer({ description: 'Entries checked.' }),
            head: Type.Optional(
              Type.String({ description: 'The last hash: note it to detect a cut tail later.' }),
            ),
            brokenAt: Type.Optional(Type.Integer()),
            reason: Type.Optional(Type.String()),
          }),
        },
      },
    },
    async () => ctx.audit.verify(),
  );
};
