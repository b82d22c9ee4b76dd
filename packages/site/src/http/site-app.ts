import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { httpStatusOf, type KeywardError, type Result } from '@keyward/core';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SiteContext } from '../context.js';

export type SiteApp = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** A route file's export: registers one operation on the app. */
export type SiteRoute = (app: SiteApp, ctx: SiteContext) => void;

/** RFC 9457 problem details with Keyward's stable code, as the vendor server answers them. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: KeywardError): FastifyReply {
  const status = httpStatusOf(error.code);
  return reply
    .code(status)
    .type('application/problem+json')
    .send({
      type: `urn:keyward:error:${error.code}`,
      title: error.message,
      status,
      code: error.code,
      message: error.message,
      requestId: request.id,
      ...(error.detail === undefined ? {} : { facts: error.detail }),
    });
}

/** Sends a domain result: the value with `status`, or the refusal as problem details. */
export function answer<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  result: Result<T>,
  status = 200,
): FastifyReply {
  return result.ok ? reply.code(status).send(result.value) : sendProblem(request, reply, result.error);
}
