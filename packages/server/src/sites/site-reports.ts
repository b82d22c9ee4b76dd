import { err, ok, type Result, requestDateRefusal, verifySiteReport } from '@keyward/core';
import type { ServerContext } from '../context.js';
import { claimedSite } from './site-caller.js';

/**
 * Keeps a site server's report of what it holds, when it is newer than the one kept. A report
 * may have waited long for the network, so age alone does not refuse it; one dated in the
 * future does, as nothing later could then replace it.
 */
export async function receiveSiteReport(
  ctx: ServerContext,
  envelope: unknown,
): Promise<Result<{ readonly accepted: boolean }>> {
  const site = await claimedSite(ctx, envelope);
  if (!site.ok) return site;
  const report = verifySiteReport(envelope, { siteId: site.value.id, siteKey: site.value.siteKey });
  if (!report.ok) return report;
  const now = ctx.now();
  const future = requestDateRefusal(report.value.issuedAt, now, Number.POSITIVE_INFINITY);
  if (future !== undefined) return err(future);
  const issuedAt = new Date(report.value.issuedAt).toISOString();
  return ok({ accepted: await ctx.siteReports.keepIfNewer(report.value, issuedAt, now.toISOString()) });
}
