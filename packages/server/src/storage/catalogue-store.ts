import { ok, type Policy, type Product, type Result, refuse } from '@keyward/core';
import type { Kysely, Selectable } from 'kysely';
import type { VendorDb } from './database.js';
import type { PoliciesTable, ProductsTable, VendorDatabase } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';

function toProduct(row: Selectable<ProductsTable>): Product {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    createdAt: row.created_at,
    archivedAt: row.archived_at,
  };
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
    archivedAt: row.archived_at,
  };
}

/** Which records a list shows: the current ones (the default), all of them, or only the archived. */
export type ArchivedFilter = 'exclude' | 'include' | 'only';

/** The comparison with null that keeps the records a filter other than `include` shows. */
export const archivedIs = (archived: ArchivedFilter) => (archived === 'only' ? 'is not' : 'is');

/**
 * What may change on a policy: its name, and terms read only when a license is issued (or an SDK
 * configuration made). The terms every issued license reads at its checks (check interval, grace,
 * transfer limit) are not here: changing them would change licenses already sold.
 */
export type PolicyEdit = Partial<
  Pick<Policy, 'name' | 'evaluationDays' | 'durationDays' | 'items' | 'counters' | 'verification'>
>;

/**
 * Takes the row of a product or policy for the caller's transaction unless it is archived: a
 * write that changes nothing, so that archiving it waits for the transaction (and the
 * transaction for the archiving). Whatever is issued under it is then issued before it closes.
 */
export async function claimOpen(
  trx: Kysely<VendorDatabase>,
  table: 'products' | 'policies',
  id: string,
): Promise<boolean> {
  const claimed = await trx
    .updateTable(table)
    .set((eb) => ({ archived_at: eb.ref('archived_at') }))
    .where('id', '=', id)
    .where('archived_at', 'is', null)
    .executeTakeFirst();
  return claimed.numUpdatedRows === 1n;
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

  async listProducts(archived: ArchivedFilter): Promise<Product[]> {
    const query = this.db
      .selectFrom('products')
      .selectAll()
      .orderBy('id')
      .$if(archived !== 'include', (qb) => qb.where('archived_at', archivedIs(archived), null));
    return (await query.execute()).map(toProduct);
  }

  /** Renames a product; its code, which the SDK configuration and every signed grant carry, stays. */
  async renameProduct(id: string, name: string): Promise<Product | undefined> {
    await this.db.updateTable('products').set({ name }).where('id', '=', id).execute();
    const row = await this.db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toProduct(row);
  }

  async archiveProduct(id: string, at: string): Promise<Product | undefined> {
    await this.db
      .updateTable('products')
      .set({ archived_at: at })
      .where('id', '=', id)
      .where('archived_at', 'is', null)
      .execute();
    const row = await this.db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toProduct(row);
  }

  /**
   * Inserts a policy unless its product is archived or another of its policies has the name; the
   * product's row and the unique name decide against a concurrent archiving or creation.
   */
  async createPolicy(policy: Policy): Promise<Result<Policy>> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await claimOpen(trx, 'products', policy.productId))) return refuse('PRODUCT_ARCHIVED');
      const inserted = await trx
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
        .onConflict((conflict) => conflict.columns(['product_id', 'name']).doNothing())
        .executeTakeFirst();
      return inserted.numInsertedOrUpdatedRows === 1n ? ok(policy) : refuse('POLICY_NAME_TAKEN');
    });
  }

  async findPolicy(id: string): Promise<Policy | undefined> {
    const row = await this.db.selectFrom('policies').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toPolicy(row);
  }

  /** The policies whose id or name is `ref`, of one product when it is given. */
  async policiesNamed(ref: string, productId?: string): Promise<Policy[]> {
    let query = this.db
      .selectFrom('policies')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
      .orderBy('id');
    if (productId !== undefined) query = query.where('product_id', '=', productId);
    return (await query.execute()).map(toPolicy);
  }

  async listPolicies(archived: ArchivedFilter, productId?: string): Promise<Policy[]> {
    const query = this.db
      .selectFrom('policies')
      .selectAll()
      .orderBy('id')
      .$if(productId !== undefined, (qb) => qb.where('product_id', '=', productId ?? ''))
      .$if(archived !== 'include', (qb) => qb.where('archived_at', archivedIs(archived), null));
    return (await query.execute()).map(toPolicy);
  }

  /** Applies the edit; the unique name decides between two renames racing for one name. */
  async editPolicy(id: string, edit: PolicyEdit): Promise<Result<Policy>> {
    const { items, counters, ...plain } = edit;
    const set = {
      ...(plain.name === undefined ? {} : { name: plain.name }),
      ...(plain.evaluationDays === undefined ? {} : { evaluation_days: plain.evaluationDays }),
      ...(plain.durationDays === undefined ? {} : { duration_days: plain.durationDays }),
      ...(plain.verification === undefined ? {} : { verification: plain.verification }),
      ...(items === undefined ? {} : { items: JSON.stringify(items) }),
      ...(counters === undefined ? {} : { counters: JSON.stringify(counters) }),
    };
    try {
      if (Object.keys(set).length > 0)
        await this.db.updateTable('policies').set(set).where('id', '=', id).execute();
    } catch (error) {
      if (isUniqueViolation(error)) return refuse('POLICY_NAME_TAKEN');
      throw error;
    }
    const policy = await this.findPolicy(id);
    return policy === undefined ? refuse('POLICY_NOT_FOUND') : ok(policy);
  }

  async archivePolicy(id: string, at: string): Promise<Policy | undefined> {
    await this.db
      .updateTable('policies')
      .set({ archived_at: at })
      .where('id', '=', id)
      .where('archived_at', 'is', null)
      .execute();
    return this.findPolicy(id);
  }
}
