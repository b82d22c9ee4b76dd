import {
  err,
  ok,
  type Result,
  refuse,
  requestDateRefusal,
  type SignedEnvelope,
  signRenewalAnswer,
  verifyRenewalRequest,
} from '@keyward/core';
import type { ServerContext } from '../context.js';
import { claimedSite } from './site-caller.js';
import { issueSiteLicenseTo } from './site-issuer.js';

/** How old a renewal request may be: the site asks online, so only a captured request is older. */
export const RENEWAL_REQUEST_MAX_AGE_MS = 10 * 60 * 1000;

export interface RenewalAnswer {
  readonly serial: string;
  /** The renewal's site license key file, issued for the asking site; null when none waits. */
  readonly renewal: {
    readonly serial: string;
    readonly expiresAt: string | null;
    readonly file: string;
  } | null;
  /** The vendor's signature over the site, serial, nonce and the renewal's serial (or none). */
  readonly answer: SignedEnvelope;
}

/**
 * A site server asks for the renewal waiting for one of its licenses. It must be the site the
 * vendor issued that license to; the renewal comes as a site license for that site, recorded as
 * issued so the renewal's own renewal can be asked for later. Asking again answers the same.
 */
export async function fetchRenewal(ctx: ServerContext, request: unknown): Promise<Result<RenewalAnswer>> {
  const site = await claimedSite(ctx, request);
  if (!site.ok) return site;
  const verified = verifyRenewalRequest(request, { siteId: site.value.id, siteKey: site.value.siteKey });
  if (!verified.ok) return verified;
  const stale = requestDateRefusal(verified.value.issuedAt, ctx.now(), RENEWAL_REQUEST_MAX_AGE_MS);
  if (stale !== undefined) return err(stale);
  const { serial } = verified.value;
  const signed = (renewal: string | null) =>
    signRenewalAnswer(
      {
        siteId: site.value.id,
        serial,
        nonce: verified.value.nonce,
        renewal,
        issuedAt: ctx.now().toISOString(),
      },
      ctx.keyring.signer,
    );
  const license = await ctx.licenses.findLicense(serial);
  if (license === undefined || !(await ctx.sites.wasIssued(site.value.id, license.id)))
    return refuse(
      'SITE_LICENSE_NOT_FOUND',
      `The vendor has not issued the license ${serial} to this site server.`,
    );
  const renewal = await ctx.renewals.findFor(license.id);
  if (renewal === undefined) return ok({ serial, renewal: null, answer: signed(null) });
  const renewalLicense = await ctx.licenses.findLicense(renewal.renewalLicenseId);
  if (renewalLicense === undefined) throw new Error(`Renewal ${renewal.id} names no license`);
  const issued = await issueSiteLicenseTo(ctx, site.value, renewalLicense);
  if (!issued.ok) return issued;
  await ctx.renewals.markFetched(renewal.id, site.value.id, ctx.now().toISOString());
  return ok({
    serial,
    renewal: { serial: issued.value.serial, expiresAt: renewalLicense.expiresAt, file: issued.value.file },
    answer: signed(issued.value.serial),
  });
}
