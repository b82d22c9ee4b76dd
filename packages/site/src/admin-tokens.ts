import { createHash, randomBytes } from 'node:crypto';
import { toBase64Url } from '@keyward/core';
import type { SiteDb } from './storage/database.js';

/** Told apart from the vendor's `kw_admin_` tokens, so one pasted in the wrong place says so at a glance. */
const TOKEN_PREFIX = 'kw_site_';

/** Tokens are 256 random bits, so a fast hash is enough to keep them unreadable at rest. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSiteAdminToken(db: SiteDb, name: string, at: string): Promise<string> {
  const token = TOKEN_PREFIX + toBase64Url(randomBytes(32));
  await db
    .insertInto('admin_tokens')
    .values({ token_hash: hashToken(token), name, created_at: at })
    .execute();
  return token;
}

/** The first token, made once: a site that has any token shows none. */
export async function firstSiteAdminToken(db: SiteDb, at: string): Promise<string | undefined> {
  const any = await db.selectFrom('admin_tokens').select('token_hash').limit(1).executeTakeFirst();
  return any === undefined ? createSiteAdminToken(db, 'bootstrap', at) : undefined;
}

export async function isSiteAdminToken(db: SiteDb, token: string): Promise<boolean> {
  if (!token.startsWith(TOKEN_PREFIX)) return false;
  const row = await db
    .selectFrom('admin_tokens')
    .select('token_hash')
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  return row !== undefined;
}
