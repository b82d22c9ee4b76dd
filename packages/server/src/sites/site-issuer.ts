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
 * be used (revoked, suspended, expired) is not issued.
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
  const envelope = signSiteLicense(document, ctx.keyring.signer);
  await ctx.sites.recordIssue(site.id, license.id, terms.sequence, document.issuedAt);
  return ok({ serial: document.serial, file: encodeSiteLicenseFile(envelope, document) });
}
