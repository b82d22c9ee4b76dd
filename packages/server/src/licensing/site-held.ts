import { type Binding, ok, type Result, refuse } from '@keyward/core';
import type { ServerContext } from '../context.js';

/** Refuses a serial a site server holds: its seats are that site's to lend, not a computer's. */
async function notHeldBySite(ctx: ServerContext, licenseId: string): Promise<Result<void>> {
  return (await ctx.sites.holderOf(licenseId)) === undefined ? ok(undefined) : refuse('SERIAL_HELD_BY_SITE');
}

/**
 * Binds a serial to a computer unless a site server holds it; false when another binding won.
 * Only a new binding reads the site record, so the periodic check of a bound computer does not.
 * An issue to a site may race this: each side writes its claim, then looks for the other's, so
 * of two racing at least one sees the other and gives way (here, by withdrawing the binding).
 */
export async function bindUnlessHeldBySite(ctx: ServerContext, binding: Binding): Promise<Result<boolean>> {
  const before = await notHeldBySite(ctx, binding.licenseId);
  if (!before.ok) return before;
  if (!(await ctx.bindings.bindIfUnbound(binding))) return ok(false);
  const after = await notHeldBySite(ctx, binding.licenseId);
  if (after.ok) return ok(true);
  await ctx.bindings.withdraw(binding, ctx.now().toISOString());
  return after;
}
