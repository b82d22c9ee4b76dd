import { createHash, randomBytes } from 'node:crypto';
import { newId, toBase64Url } from '@keyward/core';
import type { Transaction } from 'kysely';
import type { VendorDb } from '../storage/database.js';
import type { VendorDatabase } from '../storage/schema.js';

const TOKEN_PREFIX = 'kw_admin_';

/** Tokens are 256 random bits, so a fast hash is enough to keep them unreadable at rest. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createAdminToken(
  db: VendorDb | Transaction<VendorDatabase>,
  name: string,
  at: string,
): Promise<string> {
  const token = TOKEN_PREFIX + toBase64Url(randomBytes(32));
  await db
    .insertInto('api_tokens')
    .values({ id: newId('tok'), token_hash: hashToken(token), name, created_at: at })
    .execute();
  return token;
}

export async function hasAdminToken(db: VendorDb): Promise<boolean> {
  return (await db.selectFrom('api_tokens').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export async function isAdminToken(db: VendorDb, token: string): Promise<boolean> {
  if (!token.startsWith(TOKEN_PREFIX)) return false;
  const row = await db
    .selectFrom('api_tokens')
    .select('id')
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  return row !== undefined;
}
