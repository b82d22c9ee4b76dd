import { createHash, randomBytes } from 'node:crypto';
import {
  type ApiTokenRecord,
  err,
  isTokenScope,
  keywardError,
  newId,
  ok,
  type Result,
  refuse,
  scopeOfToken,
  type TokenScope,
  toBase64Url,
  tokenState,
} from '@keyward/core';
import type { Selectable, Transaction } from 'kysely';
import type { VendorDb } from './database.js';
import type { ApiTokensTable, VendorDatabase } from './schema.js';

/** An API token as the vendor sees it: never the token itself. */
export type ApiToken = ApiTokenRecord;

/** Who is behind a request: the token that authenticated it. */
export type TokenHolder = Pick<ApiToken, 'id' | 'name' | 'scope' | 'dealerId'>;

export interface NewToken {
  readonly name: string;
  readonly scope: TokenScope;
  readonly expiresAt: string | null;
  readonly dealerId: string | null;
  readonly at: string;
}

/** Tokens are 256 random bits, so a fast hash is enough to keep them unreadable at rest. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toApiToken(row: Selectable<ApiTokensTable>): ApiToken {
  if (!isTokenScope(row.scope)) throw new Error(`API token ${row.id} has an unknown scope ${row.scope}`);
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    dealerId: row.dealer_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

/** The vendor's API tokens, stored as hashes; a token is usable until it expires or is revoked. */
export class TokenStore {
  constructor(private readonly db: VendorDb) {}

  async create(
    token: NewToken,
    db: VendorDb | Transaction<VendorDatabase> = this.db,
  ): Promise<{ readonly token: string; readonly record: ApiToken }> {
    const secret = `kw_${token.scope}_${toBase64Url(randomBytes(32))}`;
    const record: ApiToken = {
      id: newId('tok'),
      name: token.name,
      scope: token.scope,
      dealerId: token.dealerId,
      createdAt: token.at,
      expiresAt: token.expiresAt,
      revokedAt: null,
    };
    await db
      .insertInto('api_tokens')
      .values({
        id: record.id,
        token_hash: hashToken(secret),
        name: record.name,
        scope: record.scope,
        dealer_id: record.dealerId,
        created_at: record.createdAt,
        expires_at: record.expiresAt,
      })
      .execute();
    return { token: secret, record };
  }

  async hasAny(): Promise<boolean> {
    return (await this.db.selectFrom('api_tokens').select('id').limit(1).executeTakeFirst()) !== undefined;
  }

  async list(): Promise<ApiToken[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toApiToken);
  }

  /** The holder of a presented token; refused alike for a made-up, expired or revoked token. */
  async authenticate(token: string, now: Date): Promise<Result<TokenHolder>> {
    if (scopeOfToken(token) === undefined) return refuse('UNAUTHORIZED');
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (row === undefined) return refuse('UNAUTHORIZED');
    const found = toApiToken(row);
    const state = tokenState(found, now);
    if (state === 'revoked')
      return err(keywardError('UNAUTHORIZED', `This API token was revoked on ${found.revokedAt}.`));
    if (state === 'expired')
      return err(keywardError('UNAUTHORIZED', `This API token expired on ${found.expiresAt}.`));
    return ok({ id: found.id, name: found.name, scope: found.scope, dealerId: found.dealerId });
  }

  /**
   * Revokes a token at once. The last admin token still usable is kept: without it, no one could
   * make another token but from the server's own machine.
   */
  async revoke(id: string, at: string): Promise<Result<ApiToken>> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined) return refuse('TOKEN_NOT_FOUND');
      const token = toApiToken(row);
      if (token.revokedAt !== null) return ok(token);
      if (token.scope === 'admin') {
        const other = await trx
          .selectFrom('api_tokens')
          .select('id')
          .where('scope', '=', 'admin')
          .where('id', '!=', id)
          .where('revoked_at', 'is', null)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
          .limit(1)
          .executeTakeFirst();
        if (other === undefined) return refuse('LAST_ADMIN_TOKEN');
      }
      await trx.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).execute();
      return ok({ ...token, revokedAt: at });
    });
  }
}
