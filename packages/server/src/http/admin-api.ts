import {
  type AccessLevel,
  AUDIT_REASON_MAX_LENGTH,
  type ErrorCode,
  keywardError,
  scopePermits,
  scopesGranted,
} from '@keyward/core';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { ServerContext } from '../context.js';
import type { TokenHolder } from '../storage/token-store.js';
import type { KeywardApp, RouteModule } from './keyward-app.js';
import { sendProblem } from './problem.js';
import { type RateCounter, rateCounter, sendRateLimited } from './rate-limits.js';
import { problems } from './schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API token that passed the admin API's guard; null on every other request. */
    token: TokenHolder | null;
  }
  interface FastifyReply {
    /** The code of the refusal this reply carries, for the audit log; null on answers. */
    refusalCode: ErrorCode | null;
  }
  interface FastifyContextConfig {
    /** The access an admin API operation needs; an operation without one is refused to all. */
    access?: AccessLevel;
  }
}

/** How the OpenAPI document names the API token. */
export const TOKEN_SECURITY_SCHEME = 'apiToken';

function bearerOf(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
}

/**
 * The guard of every admin API route, run before the body is read or validated: a caller without
 * a usable token learns nothing of what the route expects. A route that declares no access is
 * refused to every token, so a route added without thinking of access is closed, not open.
 */
function guard(ctx: ServerContext, failures: RateCounter) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    // An address that keeps presenting wrong tokens is turned away before any is looked up.
    const blocked = await failures.peek(request);
    if (blocked !== undefined)
      return sendRateLimited(request, reply, blocked, 'requests without a valid API token');
    const holder = await ctx.tokens.authenticate(bearerOf(request), ctx.now());
    if (!holder.ok) {
      await failures.count(request);
      return sendProblem(request, reply, holder.error);
    }
    request.token = holder.value;
    const access = request.routeOptions.config.access;
    if (!scopePermits(holder.value.scope, access)) {
      const needed =
        access === undefined
          ? 'no token: it declares no access'
          : `a token of scope ${scopesGranted(access).join(' or ')}`;
      return sendProblem(
        request,
        reply,
        keywardError('FORBIDDEN', `A ${holder.value.scope} token may not do this; it needs ${needed}.`),
      );
    }
  };
}

/**
 * The OpenAPI security of a route follows from the access it declares, so one place says both;
 * and every route of the admin API may answer the guard's two refusals.
 */
function declareSecurity(route: RouteOptions) {
  const access = route.config?.access;
  const scopes = access === undefined ? [] : [...scopesGranted(access)];
  const schema = route.schema ?? {};
  const response = { ...problems(401, 403, 429), ...(schema.response as object | undefined) };
  route.schema = { ...schema, security: [{ [TOKEN_SECURITY_SCHEME]: scopes }], response };
}

/**
 * The vendor's admin API: every route in it is registered inside this one plugin, behind its
 * guard, and every change made through it is written to the audit log.
 */
export async function registerAdminApi(
  app: KeywardApp,
  ctx: ServerContext,
  routes: readonly RouteModule[],
): Promise<void> {
  const failures = rateCounter(app, ctx.config.authFailuresPerMinute, 60_000, (request) => request.ip);
  await app.register(async (api: KeywardApp) => {
    api.addHook('onRoute', declareSecurity);
    api.addHook('onRequest', guard(ctx, failures));
    api.addHook('onResponse', auditChange(ctx));
    for (const route of routes) route(api, ctx);
  });
}

/** The token behind a request to an admin API route; a route outside the admin API asking is a bug. */
export function tokenOf(request: FastifyRequest): TokenHolder {
  if (request.token === null) throw new Error(`${request.url} asked for the token outside the admin API`);
  return request.token;
}

/** Who did it, for a license's history: the token by its id and name. */
export function actorOf(request: FastifyRequest): { readonly id: string; readonly name: string } {
  const { id, name } = tokenOf(request);
  return { id, name };
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every change tried through the admin API, done or refused, with who tried it; reads are not
 * changes. The support desk's reason is kept; the rest of the body is not (it may hold passwords).
 */
function auditChange(ctx: ServerContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (READS.has(request.method) || reply.statusCode === 401 || reply.statusCode === 429) return;
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    const body = (request.body ?? {}) as { reason?: unknown };
    const operation =
      request.routeOptions.schema?.operationId ?? `${request.method} ${request.routeOptions.url}`;
    const token = request.token;
    await ctx.audit
      .append({
        at: ctx.now().toISOString(),
        actor: token === null ? 'unknown' : `token:${token.id} (${token.name})`,
        action: operation,
        target: params.ref ?? params.id ?? null,
        outcome: reply.statusCode < 400 ? 'ok' : (reply.refusalCode ?? `HTTP ${reply.statusCode}`),
        detail: {
          requestId: request.id,
          status: reply.statusCode,
          // A refused body was never validated: its reason is kept only as long as a valid one.
          ...(typeof body.reason === 'string'
            ? { reason: body.reason.slice(0, AUDIT_REASON_MAX_LENGTH) }
            : {}),
        },
      })
      .catch((error: unknown) => request.log.error({ err: error }, 'the audit log could not be written'));
  };
}
