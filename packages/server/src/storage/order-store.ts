import type { Order, OrderItem, OrderState, UpgradeLine } from '@keyward/core';
import type { Kysely } from 'kysely';
import type { VendorDb } from './database.js';
import type { VendorDatabase } from './schema.js';

/** An order with the names people read it by: its dealer's login, its product, the license it is for. */
export interface OrderRecord extends Order {
  readonly dealerLogin: string;
  readonly productCode: string;
  readonly productName: string;
  readonly licenseSerial: string | null;
  /** The From -> To lines it was processed with; null until processed. */
  readonly upgradeLines: readonly UpgradeLine[] | null;
}

/** What a processed order is looked up by again: its confirmation credentials' hash, the key and the file. */
export interface ProcessedRecord {
  readonly order: OrderRecord;
  readonly confirmationHash: string;
  readonly serial: string;
  readonly file: string;
}

export interface OrderFilter {
  readonly dealerId?: string;
}

/** What marking an order processed records with it. */
export interface ProcessedMark {
  readonly updateId: string;
  readonly lines: readonly UpgradeLine[];
  readonly confirmationLogin: string;
  readonly confirmationHash: string;
}

function records(db: Kysely<VendorDatabase>) {
  return db
    .selectFrom('orders')
    .innerJoin('dealers', 'dealers.id', 'orders.dealer_id')
    .innerJoin('products', 'products.id', 'orders.product_id')
    .leftJoin('licenses', 'licenses.id', 'orders.license_id')
    .selectAll('orders')
    .select([
      'dealers.login as dealer_login',
      'products.code as product_code',
      'products.name as product_name',
      'licenses.serial as license_serial',
    ]);
}

type RecordRow = Awaited<ReturnType<ReturnType<typeof records>['executeTakeFirstOrThrow']>>;

function toRecord(row: RecordRow): OrderRecord {
  return {
    id: row.id,
    dealerId: row.dealer_id,
    productId: row.product_id,
    licenseId: row.license_id,
    items: JSON.parse(row.items) as OrderItem[],
    state: row.state as OrderState,
    createdAt: row.created_at,
    authorizedAt: row.authorized_at,
    expiresAt: row.expires_at,
    closedAt: row.closed_at,
    updateId: row.update_id,
    failedAttempts: row.failed_attempts,
    dealerLogin: row.dealer_login,
    productCode: row.product_code,
    productName: row.product_name,
    licenseSerial: row.license_serial,
    upgradeLines: row.upgrade_lines === null ? null : (JSON.parse(row.upgrade_lines) as UpgradeLine[]),
  };
}

/**
 * Upgrade orders. Every change of state is a conditional update on the state it moves from, so
 * two processes (or two dealers' submissions) racing for one order change it once.
 */
export class OrderStore {
  constructor(private readonly db: VendorDb) {}

  async create(order: Order): Promise<void> {
    await this.db
      .insertInto('orders')
      .values({
        id: order.id,
        dealer_id: order.dealerId,
        product_id: order.productId,
        license_id: order.licenseId,
        items: JSON.stringify(order.items),
        state: order.state,
        created_at: order.createdAt,
      })
      .execute();
  }

  async find(id: string): Promise<OrderRecord | undefined> {
    const row = await records(this.db).where('orders.id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async list(filter: OrderFilter = {}): Promise<OrderRecord[]> {
    let query = records(this.db).orderBy('orders.id');
    if (filter.dealerId !== undefined) query = query.where('orders.dealer_id', '=', filter.dealerId);
    return (await query.execute()).map(toRecord);
  }

  /** The hash of the order's authorization number; undefined until it is authorized. */
  async authorizationHashOf(id: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('orders')
      .select('authorization_hash')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.authorization_hash ?? undefined;
  }

  /** created or authorized (and not past its deadline at `at`) -> cancelled. */
  async cancel(id: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('orders')
      .set({ state: 'cancelled', closed_at: at })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('state', '=', 'created'),
          eb.and([eb('state', '=', 'authorized'), eb('expires_at', '>', at)]),
        ]),
      )
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /**
   * Takes one try at the authorization number, if fewer than `limit` were wrong: counted before
   * the number is compared, so guesses sent all at once cannot pass the limit together. Answers
   * the tries now counted, or undefined when the order is locked.
   */
  async takeAttempt(id: string, limit: number): Promise<number | undefined> {
    const row = await this.db
      .updateTable('orders')
      .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
      .where('id', '=', id)
      .where('failed_attempts', '<', limit)
      .returning('failed_attempts')
      .executeTakeFirst();
    return row?.failed_attempts;
  }

  /** The right number was given (or the vendor unlocked the order): the wrong ones are forgiven. */
  async clearAttempts(id: string): Promise<void> {
    await this.db.updateTable('orders').set({ failed_attempts: 0 }).where('id', '=', id).execute();
  }

  /**
   * authorized -> processed, inside the transaction that issues the order's update: false (and
   * the caller rolls the update back) when another submission processed it first, or it was
   * cancelled or reached its deadline meanwhile.
   */
  async markProcessed(trx: Kysely<VendorDatabase>, id: string, mark: ProcessedMark, at: string) {
    const result = await trx
      .updateTable('orders')
      .set({
        state: 'processed',
        closed_at: at,
        update_id: mark.updateId,
        upgrade_lines: JSON.stringify(mark.lines),
        confirmation_login: mark.confirmationLogin,
        confirmation_hash: mark.confirmationHash,
      })
      .where('id', '=', id)
      .where('state', '=', 'authorized')
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** The order's state as the transaction `trx` sees it: why `markProcessed` did nothing. */
  async stateIn(
    trx: Kysely<VendorDatabase>,
    id: string,
  ): Promise<Pick<Order, 'state' | 'expiresAt'> | undefined> {
    const row = await trx
      .selectFrom('orders')
      .select(['state', 'expires_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { state: row.state as OrderState, expiresAt: row.expires_at };
  }

  async processedByConfirmation(login: string): Promise<ProcessedRecord | undefined> {
    const row = await records(this.db).where('orders.confirmation_login', '=', login).executeTakeFirst();
    if (row?.confirmation_hash == null || row.update_id === null) return undefined;
    const update = await this.db
      .selectFrom('license_updates')
      .innerJoin('licenses', 'licenses.id', 'license_updates.license_id')
      .select(['licenses.serial', 'license_updates.package_file'])
      .where('license_updates.id', '=', row.update_id)
      .executeTakeFirst();
    if (update === undefined) return undefined;
    return {
      order: toRecord(row),
      confirmationHash: row.confirmation_hash,
      serial: update.serial,
      file: update.package_file,
    };
  }
}
