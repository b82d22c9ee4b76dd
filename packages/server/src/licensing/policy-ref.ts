import { type Policy, pickPolicy, type Result, refuse } from '@keyward/core';
import type { ServerContext } from '../context.js';

/**
 * A policy named by its id or by its name, within a product when one is given (by id or code):
 * the API and the CLI take either, as a person knows it.
 */
export async function findPolicyByRef(
  ctx: ServerContext,
  ref: string,
  productRef?: string,
): Promise<Result<Policy>> {
  if (productRef === undefined) return pickPolicy(await ctx.catalogue.policiesNamed(ref), ref);
  const product = await ctx.catalogue.findProduct(productRef);
  if (product === undefined) return refuse('PRODUCT_NOT_FOUND');
  const picked = pickPolicy(await ctx.catalogue.policiesNamed(ref, product.id), ref);
  if (picked.ok || picked.error.code !== 'POLICY_NOT_FOUND') return picked;
  return refuse('POLICY_NOT_FOUND', `Product ${product.code} has no policy with this id or name.`);
}
