import type { Kysely, Transaction } from 'kysely';
import type { SiteDb } from './database.js';
import type { SiteDatabase } from './schema.js';

/** The database or a caller's transaction: a setting read inside one sees what it wrote. */
export type SiteExecutor = Kysely<SiteDatabase> | Transaction<SiteDatabase>;

/** Named settings as JSON documents; a missing one reads as undefined and its defaults apply. */
export class SettingsStore {
  constructor(private readonly db: SiteDb) {}

  async read(name: string, db: SiteExecutor = this.db): Promise<unknown> {
    const row = await db
      .selectFrom('site_settings')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirst();
    return row === undefined ? undefined : JSON.parse(row.value);
  }

  async write(name: string, value: unknown, at: string): Promise<void> {
    const text = JSON.stringify(value);
    await this.db
      .insertInto('site_settings')
      .values({ name, value: text, updated_at: at })
      .onConflict((conflict) => conflict.column('name').doUpdateSet({ value: text, updated_at: at }))
      .execute();
  }
}
