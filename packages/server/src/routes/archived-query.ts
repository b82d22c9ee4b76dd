import { Type } from '@fastify/type-provider-typebox';

/** Which records a list shows: current ones (default), all, or only the archived. */
export const ArchivedQuery = Type.Optional(
  Type.Union([Type.Literal('exclude'), Type.Literal('include'), Type.Literal('only')], {
    description: 'Archived records: exclude (default), include, or only.',
  }),
);
