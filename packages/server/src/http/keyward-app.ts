import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Result } from '@keyward/core';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { sendProblem } from './problem.js';

export type KeywardApp = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** A route file's export: registers one operation (or one family of identical ones) on the app. */
export type RouteModule = (app: KeywardApp, ctx: ServerContext) => void;

/** Sends a domain result: the value with `status`, or the refusal as problem details. */
export function answer<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  result: Result<T>,
  status = 200,
): FastifyReply {
  return result.ok ? reply.code(status).send(result.value) : sendProblem(request, reply, result.error);
}
