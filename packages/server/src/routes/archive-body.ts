import { Type } from '@fastify/type-provider-typebox';

/** Archiving takes an optional reason (send `{}` without one): the audit log keeps it with who archived. */
export const ArchiveBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 1000, description: 'Why, kept in the audit log.' })) },
  { additionalProperties: false },
);
