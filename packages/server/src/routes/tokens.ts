import { Type } from '@fastify/type-provider-typebox';
import { ok, refuse, TOKEN_SCOPES, type TokenScope, tokenState } from '@keyward/core';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { problems } from '../http/schemas.js';
import type { ApiToken } from '../storage/token-store.js';

const ScopeSchema = Type.Unsafe<TokenScope>(Type.Union(TOKEN_SCOPES.map((scope) => Type.Literal(scope))));

const TokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scope: ScopeSchema,
  dealerId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
});

const CreateTokenBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^[^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]+$',
      description: 'What the token is for, e.g. "billing sync"; printable text.',
    }),
    scope: ScopeSchema,
    expiresAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the token stops working; never when absent.' }),
    ),
    dealer: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'For a dealer token: the dealer, by id or login.',
      }),
    ),
  },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

function view(token: ApiToken, now: Date) {
  return { ...token, state: tokenState(token, now) };
}

/** API tokens: made with a scope and an optional expiry, shown once, listed, revoked. */
export const tokenRoutes: RouteModule = (app, ctx) => {
  app.post(
    '/v1/tokens',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'createToken',
        summary: 'Create an API token; the token itself is answered this once.',
        tags: ['admin'],
        body: CreateTokenBody,
        response: {
          201: Type.Object({
            token: Type.String({ description: 'Shown once: the server keeps only its hash.' }),
            record: TokenSchema,
          }),
          ...problems(400, 404),
        },
      },
    },
    async (request, reply) => {
      const now = ctx.now();
      const { name, scope, expiresAt, dealer: dealerRef } = request.body;
      const expiry = expiresAt === undefined ? null : new Date(expiresAt);
      if (expiry !== null && expiry.getTime() <= now.getTime())
        return answer(request, reply, refuse('VALIDATION_FAILED', 'expiresAt must be in the future.'));
      if ((scope === 'dealer') !== (dealerRef !== undefined))
        return answer(
          request,
          reply,
          refuse('VALIDATION_FAILED', 'A dealer token names its dealer, and only a dealer token does.'),
        );
      const dealer = dealerRef === undefined ? undefined : await ctx.dealers.find(dealerRef);
      if (dealerRef !== undefined && dealer === undefined)
        return answer(request, reply, refuse('DEALER_NOT_FOUND'));
      const created = await ctx.tokens.create({
        name,
        scope,
        expiresAt: expiry?.toISOString() ?? null,
        dealerId: dealer?.id ?? null,
        at: now.toISOString(),
      });
      return answer(request, reply, ok({ token: created.token, record: view(created.record, now) }), 201);
    },
  );

  app.get(
    '/v1/tokens',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'listTokens',
        summary: 'List the API tokens: name, scope, expiry and state, never the tokens themselves.',
        tags: ['admin'],
        response: { 200: Type.Object({ tokens: Type.Array(TokenSchema) }) },
      },
    },
    async () => {
      const now = ctx.now();
      return { tokens: (await ctx.tokens.list()).map((token) => view(token, now)) };
    },
  );

  app.post(
    '/v1/tokens/:id/revoke',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'revokeToken',
        summary: 'Revoke an API token at once; the last usable admin token is kept.',
        tags: ['admin'],
        params: IdParams,
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 200: TokenSchema, ...problems(404, 409) },
      },
    },
    async (request, reply) => {
      const revoked = await ctx.tokens.revoke(request.params.id, ctx.now().toISOString());
      if (!revoked.ok) return answer(request, reply, revoked);
      return answer(request, reply, ok(view(revoked.value, ctx.now())));
    },
  );
};
