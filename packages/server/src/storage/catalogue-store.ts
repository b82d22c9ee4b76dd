import type { Policy, Product } from '@keyward/core';
import type { Selectable } from 'kysely';
import type { VendorDb } from './database.js';
import type { PoliciesTable, ProductsTable } from './schema.js';

function toProduct(row: Selectable<ProductsTable>): Product {
  return { id: row.id, code: row.code, name: row.name, createdAt: row.created_at };
}

export function toPolicy(row: Selectable<PoliciesTable>): Policy {
  return {
    id: row.id,
    productId: row.product_id,
    name: row.name,
    checkIntervalDays: row.check_interval_days,
    evaluationDays: row.evaluation_days,
    maxTransfers: row.max_transfers,
    graceDays: row.grace_days,
    verification: row.verification === 'off' ? 'off' : 'ongoing',
    durationDays: row.duration_days,
    items: JSON.parse(row.items) as Policy['items'],
    counters: JSON.parse(row.counters) as Policy['counters'],
    createdAt: row.created_at,
  };
}

/** Products and the policies licenses are issued under. */
export class CatalogueStore {
  constructor(private readonly db: VendorDb) {}

  /** Inserts unless the code is taken; returns false when it is (the unique constraint decides). */
  async createProduct(product: Product): Promise<boolean> {
    const result = await this.db
      .insertInto('products')
      .values({ id: product.id, code: product.code, name: product.name, created_at: product.createdAt })
      .onConflict((conflict) => conflict.column('code').doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async findProduct(idOrCode: string): Promise<Product | undefined> {
    const row = await this.db
      .selectFrom('products')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrCode), eb('code', '=', idOrCode)]))
      .executeTakeFirst();
    return row && toProduct(row);
  }

  async listProducts(): Promise<Product[]> {
    return (await this.db.selectFrom('products').selectAll().orderBy('id').execute()).map(toProduct);
  }

  async createPolicy(policy: Policy): Promise<void> {
    await this.db
      .insertInto('policies')
      .values({
        id: policy.id,
        product_id: policy.productId,
        name: policy.name,
        check_interval_days: policy.checkIntervalDays,
        evaluation_days: policy.evaluationDays,
        max_transfers: policy.maxTransfers,
        verification: policy.verification,
        duration_days: policy.durationDays,
        items: JSON.stringify(policy.items),
        counters: JSON.stringify(policy.counters),
        grace_days: policy.graceDays,
        created_at: policy.createdAt,
      })
      .execute();
  }

  async findPolicy(id: string): Promise<Policy | undefined> {
    const row = await this.db.selectFrom('policies').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toPolicy(row);
  }

  async listPolicies(productId?: string): Promise<Policy[]> {
    let query = this.db.selectFrom('policies').selectAll().orderBy('id');
    if (productId !== undefined) query = query.where('product_id', '=', productId);
    return (await query.execute()).map(toPolicy);
  }
}
