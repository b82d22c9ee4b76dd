import { claimedSiteId, ok, parseSignedEnvelope, type Result, refuse } from '@keyward/core';
import type { ServerContext } from '../context.js';
import type { Site } from '../storage/site-store.js';

/**
 * The registered site a site-signed document claims to come from, whose key then verifies it.
 * Nothing is trusted yet: the caller verifies the signature with this site's key next.
 */
export async function claimedSite(ctx: ServerContext, request: unknown): Promise<Result<Site>> {
  const envelope = parseSignedEnvelope(request);
  if (!envelope.ok) return envelope;
  const siteId = claimedSiteId(envelope.value);
  if (siteId === undefined)
    return refuse('SIGNATURE_INVALID', 'The request is not signed by a site server key.');
  const site = await ctx.sites.find(siteId);
  return site === undefined
    ? refuse('SITE_NOT_FOUND', 'The vendor has registered no site server with the key this request names.')
    : ok(site);
}
