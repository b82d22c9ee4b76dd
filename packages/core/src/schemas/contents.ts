import { Type } from 'typebox';
import { CONTENT_LIMITS } from '../contents.js';
import { Instant, Name, NamedCounts, PasswordHash } from './primitives.js';

const named = <T extends Parameters<typeof Type.Record>[1]>(value: T) =>
  Type.Record(Name, value, { maxProperties: CONTENT_LIMITS.names, additionalProperties: false });

export const ContentsSchema = Type.Object(
  {
    items: named(NamedCounts(CONTENT_LIMITS.seats)),
    expiresAt: Type.Union([Instant, Type.Null()]),
    /** Allowances: how many uses the vendor grants over the license's life. */
    counters: NamedCounts(CONTENT_LIMITS.counter),
    passwords: named(PasswordHash),
    memory: named(
      Type.String({
        maxLength: Math.ceil(CONTENT_LIMITS.memoryObjectBytes / 3) * 4,
        pattern: '^[A-Za-z0-9+/]*={0,2}$',
      }),
    ),
    verification: Type.Union([Type.Literal('off'), Type.Literal('ongoing')]),
  },
  { additionalProperties: false },
);
