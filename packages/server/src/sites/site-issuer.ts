import {
  encodeSiteLicenseFile,
  err,
  type License,
  licenseRefusal,
  newId,
  ok,
  publicKeyFromRaw,
  type Result,
  refuse,
  type SignedEnvelope,
  signSiteCertificate,
  signSiteLicense,
} from '@keyward/core';
import type { ServerContext } from '../context.js';
import { findLicenseByRef } from '../licensing/license-ref.js';
import type { Site } from '../storage/site-store.js';

export interface RegisteredSite {
  readonly site: Site;
  /** The vendor's signature over the site's key: stations verify the site's leases through it. */
  readonly certificate: SignedEnvelope;
}

/** Certifies a site server's signing key; a key already registered belongs to its first site. */
export async function registerSite(
  ctx: ServerContext,
  name: string,
  siteKey: string,
): Promise<Result<RegisteredSite>> {
  if (publicKeyFromRaw('ed25519', siteKey) === undefined)
    return refuse('VALIDATION_FAILED', 'The site key is not an Ed25519 public key (32 bytes, base64url).');
  const now = ctx.now().toISOString();
  const site: Site = { id: newId('sit'), name, siteKey, createdAt: now };
  if (!(await ctx.sites.register(site))) return refuse('SITE_KEY_TAKEN');
  return ok({ site, certificate: certificateOf(ctx, site) });
}

export function certificateOf(ctx: ServerContext, site: Site): SignedEnvelope {
  return signSiteCertificate(
    { siteId: site.id, name: site.name, siteKey: site.siteKey, issuedAt: site.createdAt },
    ctx.keyring.signer,
  );
}

export interface IssuedSiteLicense {
  readonly serial: string;
  readonly file: string;
}

/** A site license key file for one serial, to a registered site (the admin API's issue). */
export async function issueSiteLicense(
  ctx: ServerContext,
  siteId: string,
  licenseRef: string,
): Promise<Result<IssuedSiteLicense>> {
  const site = await ctx.sites.find(siteId);
  if (site === undefined) return refuse('SITE_NOT_FOUND');
  const license = await findLicenseByRef(ctx, licenseRef);
  if (!license.ok) return license;
  return issueSiteLicenseTo(ctx, site, license.value);
}

/**
 * A site license key file: the license's current terms, signed for that site only, and recorded
 * as issued to it (so the site may later ask for this license's renewal). A license that may not
 * be used (revoked, suspended, expired) is not issued, nor one another site or a computer holds:
 * a serial's seats are lent by one holder only. Issuing again to the same site is allowed.
 */
export async function issueSiteLicenseTo(
  ctx: ServerContext,
  site: Site,
  license: License,
): Promise<Result<IssuedSiteLicense>> {
  const now = ctx.now();
  const refusal = licenseRefusal(license, now);
  if (refusal !== undefined) return err(refusal);
  const product = await ctx.catalogue.findProduct(license.productId);
  const terms = await ctx.sites.currentContents(license.id);
  if (product === undefined || terms === undefined)
    throw new Error(`License ${license.id} has no product or contents`);
  const document = {
    siteId: site.id,
    serial: license.serial,
    product: product.code,
    sequence: terms.sequence,
    contents: terms.contents,
    issuedAt: now.toISOString(),
  };
  const claimed = await claimForSite(ctx, site, license, document);
  if (!claimed.ok) return claimed;
  const envelope = signSiteLicense(document, ctx.keyring.signer);
  return ok({ serial: document.serial, file: encodeSiteLicenseFile(envelope, document) });
}

/**
 * Records the license as the site's, refused when another site or a computer holds it. Between
 * sites the database decides. An activation may race a new claim: each side writes, then looks
 * for the other's record, so at least one of the two sees the other and gives way (here, by
 * giving up the claim).
 */
async function claimForSite(
  ctx: ServerContext,
  site: Site,
  license: License,
  issue: { readonly sequence: number; readonly issuedAt: string },
): Promise<Result<void>> {
  if (await ctx.bindings.isBound(license.id)) return onComputer(license);
  const claim = await ctx.sites.claim(site.id, license.id, issue.sequence, issue.issuedAt);
  if (claim.kind === 'held')
    return refuse(
      'SITE_LICENSE_ISSUED_ELSEWHERE',
      `The serial ${license.serial} is already issued to site ${claim.holder.name} (${claim.holder.id}): a serial is held by one site server at a time.`,
    );
  if (claim.kind === 'claimed' && (await ctx.bindings.isBound(license.id))) {
    await ctx.sites.unclaim(site.id, license.id);
    return onComputer(license);
  }
  return ok(undefined);
}

const onComputer = (license: License) =>
  refuse(
    'SERIAL_ON_COMPUTER',
    `The serial ${license.serial} is activated on a computer: release it first (keyward key deactivate there, or the vendor releases it), then issue it to the site server.`,
  );
