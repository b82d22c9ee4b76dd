import { createHash, randomBytes } from 'node:crypto';
import { toBase64Url } from '@keyward/core';
import type { VendorDb } from '../storage/database.js';

/** Who is signed in to the portal: a dealer, or one of the vendor's staff. */
export interface PortalUser {
  readonly kind: 'dealer' | 'staff';
  readonly id: string;
  readonly name: string;
}

/** A sign-in lasts a working day; an idle portal tab then asks again. */
export const PORTAL_SESSION_HOURS = 8;

/** The cookie carries 256 random bits; the database keeps only their hash. */
function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Portal sign-ins, stored in the database so that every server process honours them. */
export class PortalSessions {
  constructor(
    private readonly db: VendorDb,
    private readonly now: () => Date,
  ) {}

  /** Signs `user` in; returns the token for the cookie. */
  async open(user: PortalUser): Promise<string> {
    const token = toBase64Url(randomBytes(32));
    const now = this.now();
    await this.db
      .insertInto('portal_sessions')
      .values({
        id_hash: hashOf(token),
        subject_kind: user.kind,
        subject_id: user.id,
        subject_name: user.name,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + PORTAL_SESSION_HOURS * 3_600_000).toISOString(),
      })
      .execute();
    return token;
  }

  async find(token: string): Promise<PortalUser | undefined> {
    const row = await this.db
      .selectFrom('portal_sessions')
      .select(['subject_kind', 'subject_id', 'subject_name'])
      .where('id_hash', '=', hashOf(token))
      .where('expires_at', '>', this.now().toISOString())
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const kind = row.subject_kind === 'staff' ? 'staff' : 'dealer';
    return { kind, id: row.subject_id, name: row.subject_name };
  }

  async close(token: string): Promise<void> {
    await this.db.deleteFrom('portal_sessions').where('id_hash', '=', hashOf(token)).execute();
    await this.db.deleteFrom('portal_sessions').where('expires_at', '<=', this.now().toISOString()).execute();
  }
}
