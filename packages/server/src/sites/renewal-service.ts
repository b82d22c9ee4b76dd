import { err, type License, licenseRefusal, newId, ok, type Result, refuse } from '@keyward/core';
import type { ServerContext } from '../context.js';
import { findLicenseByRef } from '../licensing/license-ref.js';
import type { RenewalView } from '../storage/renewal-store.js';

/** Why `renewal` cannot renew `license`, checked before anything is stored. */
function renewalRefusal(license: License, renewal: License, now: Date): Result<void> {
  if (renewal.id === license.id) return refuse('RENEWAL_INVALID', 'A license cannot renew itself.');
  if (renewal.productId !== license.productId)
    return refuse(
      'RENEWAL_INVALID',
      `${renewal.serial} is a license of another product than ${license.serial}.`,
    );
  // A renewal must outlast what it renews, which also keeps renewals from going round in a circle.
  if (
    renewal.expiresAt !== null &&
    (license.expiresAt === null || Date.parse(renewal.expiresAt) <= Date.parse(license.expiresAt))
  )
    return refuse('RENEWAL_INVALID', `${renewal.serial} does not expire after ${license.serial}.`);
  const unusable = licenseRefusal(renewal, now);
  return unusable === undefined ? ok(undefined) : err(unusable);
}

/** A license as a person named it, a refusal saying which of the two names it is about. */
async function findNamed(
  ctx: ServerContext,
  ref: string,
  role: 'license' | 'renewal',
): Promise<Result<License>> {
  const license = await findLicenseByRef(ctx, ref);
  if (license.ok) return license;
  const named =
    license.error.code === 'LICENSE_NOT_FOUND'
      ? `No license has the serial number or id ${ref}.`
      : license.error.message;
  return refuse(license.error.code, named, { [role]: ref });
}

/** Ties a renewal bought in advance to the license it renews, for a site server to fetch. */
export async function tieRenewal(
  ctx: ServerContext,
  licenseRef: string,
  renewalRef: string,
): Promise<Result<RenewalView>> {
  const license = await findNamed(ctx, licenseRef, 'license');
  if (!license.ok) return license;
  const renewal = await findNamed(ctx, renewalRef, 'renewal');
  if (!renewal.ok) return renewal;
  const refusal = renewalRefusal(license.value, renewal.value, ctx.now());
  if (!refusal.ok) return refusal;
  const id = newId('ren');
  const tied = await ctx.renewals.tie({
    id,
    licenseId: license.value.id,
    renewalLicenseId: renewal.value.id,
    createdAt: ctx.now().toISOString(),
    fetchedAt: null,
    fetchedBySite: null,
  });
  if (!tied) {
    // The unique constraints refused it: say which of the two licenses is taken.
    if ((await ctx.renewals.findFor(license.value.id)) !== undefined) return refuse('RENEWAL_EXISTS');
    return refuse('RENEWAL_INVALID', `${renewal.value.serial} already renews another license.`);
  }
  const view = (await ctx.renewals.list({ licenseId: license.value.id })).find((tied) => tied.id === id);
  if (view === undefined) throw new Error(`Renewal ${id} vanished as it was tied`);
  return ok(view);
}

/** Renewals, all or those of (or by) one license. */
export async function listRenewals(
  ctx: ServerContext,
  licenseRef?: string,
): Promise<Result<{ renewals: RenewalView[] }>> {
  if (licenseRef === undefined) return ok({ renewals: await ctx.renewals.list() });
  const license = await findLicenseByRef(ctx, licenseRef);
  if (!license.ok) return license;
  return ok({ renewals: await ctx.renewals.list({ licenseId: license.value.id }) });
}

export async function removeRenewal(ctx: ServerContext, id: string): Promise<Result<{ removed: string }>> {
  return (await ctx.renewals.remove(id)) ? ok({ removed: id }) : refuse('RENEWAL_NOT_FOUND');
}
