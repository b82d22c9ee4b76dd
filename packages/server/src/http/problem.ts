import { type ErrorCode, httpStatusOf, type KeywardError, type SignedEnvelope } from '@keyward/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** How long a client waits before it asks again when the database cannot be used. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** RFC 9457 problem details, with Keyward's stable code and the request id to quote to support. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly requestId: string;
  readonly facts?: Readonly<Record<string, unknown>>;
  /** On the machine API: the vendor's signed refusal, over the asker's nonce. */
  readonly refusal?: SignedEnvelope;
}

export function problemBody(error: KeywardError, requestId: string): ProblemBody {
  const body: ProblemBody = {
    type: `urn:keyward:error:${error.code}`,
    title: error.message,
    status: httpStatusOf(error.code),
    code: error.code,
    message: error.message,
    requestId,
  };
  return error.detail === undefined ? body : { ...body, facts: error.detail };
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  error: KeywardError,
  refusal?: SignedEnvelope,
): FastifyReply {
  const problem = problemBody(error, request.id);
  reply.refusalCode = error.code;
  const body = refusal === undefined ? problem : { ...problem, refusal };
  // The router's own refusals are answered before any hook runs: the id is set here for them too.
  return reply
    .code(body.status)
    .header('x-request-id', request.id)
    .type('application/problem+json')
    .send(body);
}
