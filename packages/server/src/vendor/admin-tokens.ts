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

/** Who is behind an admin request: the token, by its id and the name it was created with. */
export interface AdminIdentity {
  readonly id: string;
  readonly name: string;
}

/** The admin token a caller presented, if it is one; its identity goes into the audit trail. */
export async function findAdminToken(db: VendorDb, token: string): Promise<AdminIdentity | undefined> {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name'])
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
}
