import type { Dealer } from '@keyward/core';
import type { Selectable } from 'kysely';
import type { VendorDb } from './database.js';
import type { DealersTable } from './schema.js';

function toDealer(row: Selectable<DealersTable>): Dealer {
  return { id: row.id, login: row.login, name: row.name, email: row.email, createdAt: row.created_at };
}

/** Dealer accounts; the password hash never leaves this store but to be verified. */
export class DealerStore {
  constructor(private readonly db: VendorDb) {}

  /** Inserts unless the login is taken; returns false when it is (the unique constraint decides). */
  async create(dealer: Dealer, passwordHash: string): Promise<boolean> {
    const result = await this.db
      .insertInto('dealers')
      .values({
        id: dealer.id,
        login: dealer.login,
        name: dealer.name,
        email: dealer.email,
        password_hash: passwordHash,
        created_at: dealer.createdAt,
      })
      .onConflict((conflict) => conflict.column('login').doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async find(idOrLogin: string): Promise<Dealer | undefined> {
    const row = await this.db
      .selectFrom('dealers')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrLogin), eb('login', '=', idOrLogin)]))
      .executeTakeFirst();
    return row && toDealer(row);
  }

  async list(): Promise<Dealer[]> {
    return (await this.db.selectFrom('dealers').selectAll().orderBy('id').execute()).map(toDealer);
  }

  /** The dealer with this login and the hash their password is checked against. */
  async credentialsOf(login: string): Promise<{ dealer: Dealer; passwordHash: string } | undefined> {
    const row = await this.db.selectFrom('dealers').selectAll().where('login', '=', login).executeTakeFirst();
    return row && { dealer: toDealer(row), passwordHash: row.password_hash };
  }
}
