import { Type } from '@fastify/type-provider-typebox';
import { CONTENT_LIMITS, NAME_PATTERN, POLICY_LIMITS } from '@keyward/core';

const Name = Type.String({ pattern: NAME_PATTERN.source });

const nullableInteger = (limits: { minimum: number; maximum: number }, description: string) =>
  Type.Optional(Type.Union([Type.Integer(limits), Type.Null()], { description }));

/** A policy's name: unique within its product, so that `--policy NAME` means one policy. */
export const PolicyName = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'Unique within the product.',
});

/** Terms read when a license is issued (or an SDK configuration made): a policy edit may change them. */
export const IssueTerms = {
  evaluationDays: Type.Optional(
    Type.Integer({
      ...POLICY_LIMITS.evaluationDays,
      description: 'Days the application runs without a serial (shipped in the SDK configuration).',
    }),
  ),
  verification: Type.Optional(Type.Union([Type.Literal('off'), Type.Literal('ongoing')])),
  durationDays: nullableInteger(POLICY_LIMITS.durationDays, 'License lifetime; null for perpetual.'),
  items: Type.Optional(
    Type.Record(
      Name,
      Type.Record(Name, Type.Integer({ minimum: 0, maximum: CONTENT_LIMITS.seats }), {
        maxProperties: CONTENT_LIMITS.names,
      }),
      {
        maxProperties: CONTENT_LIMITS.names,
        description: 'Licensed items and their seats, e.g. {"cad": {"servers": 1, "nodes": 5}}.',
      },
    ),
  ),
  counters: Type.Optional(
    Type.Record(Name, Type.Integer({ minimum: 0, maximum: CONTENT_LIMITS.counter }), {
      maxProperties: CONTENT_LIMITS.names,
      description: 'Usage counters each license starts with, e.g. {"exports": 100}.',
    }),
  ),
};

/** Terms every issued license reads at its online checks: set when the policy is created, never edited. */
export const CheckTerms = {
  checkIntervalDays: Type.Optional(
    Type.Integer({
      ...POLICY_LIMITS.checkIntervalDays,
      description: 'Days from one online check to the next.',
    }),
  ),
  maxTransfers: nullableInteger(
    POLICY_LIMITS.maxTransfers,
    'Transfers allowed per license; null for no limit.',
  ),
  graceDays: Type.Optional(
    Type.Integer({
      ...POLICY_LIMITS.graceDays,
      description: 'Days the application keeps running when a due online check cannot reach the server.',
    }),
  ),
};
