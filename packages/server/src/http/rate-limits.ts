import { keywardError } from '@keyward/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KeywardApp } from './keyward-app.js';
import { sendProblem } from './problem.js';

/** One counter of @fastify/rate-limit: `count` adds this request, `peek` only looks. */
export interface RateCounter {
  /** Seconds until the caller may try again, or undefined while under the limit. */
  count(request: FastifyRequest): Promise<number | undefined>;
  peek(request: FastifyRequest): Promise<number | undefined>;
}

/**
 * A counter of `max` requests per `windowMs` for each key. The counts live in this process's
 * memory: with `--workers N`, each worker counts on its own.
 */
export function rateCounter(
  app: KeywardApp,
  max: number,
  windowMs: number,
  keyOf: (request: FastifyRequest) => string,
): RateCounter {
  const limit = app.createRateLimit({ max, timeWindow: windowMs, keyGenerator: keyOf });
  const wait = async (request: FastifyRequest, increment: boolean) => {
    const verdict = await limit(request, { increment });
    if (verdict.isAllowed) return undefined;
    const over = increment ? verdict.isExceeded : verdict.remaining === 0;
    return over ? Math.max(1, verdict.ttlInSeconds) : undefined;
  };
  return { count: (request) => wait(request, true), peek: (request) => wait(request, false) };
}

/** 429 with the seconds to wait in Retry-After, which the SDK and CLI honour. */
export function sendRateLimited(
  request: FastifyRequest,
  reply: FastifyReply,
  seconds: number,
  what: string,
): FastifyReply {
  return sendProblem(
    request,
    reply.header('retry-after', String(seconds)),
    keywardError('RATE_LIMITED', `Too many ${what}: try again in ${seconds} s.`, {
      retryAfterSeconds: seconds,
    }),
  );
}
