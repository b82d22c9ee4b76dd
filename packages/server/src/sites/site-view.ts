import { ok, type Result, refuse, type SiteReport } from '@keyward/core';
import type { ServerContext } from '../context.js';
import type { RenewalView } from '../storage/renewal-store.js';
import type { Site } from '../storage/site-store.js';

/** One site server in the fleet view: what the vendor issued it, and what it last said it holds. */
export interface SiteDetails {
  readonly site: Site;
  readonly serials: string[];
  readonly renewals: RenewalView[];
  readonly report: (SiteReport & { readonly receivedAt: string }) | null;
}

export interface SiteSummary extends Site {
  readonly serials: string[];
  readonly lastReportAt: string | null;
}

export async function siteDetails(ctx: ServerContext, siteId: string): Promise<Result<SiteDetails>> {
  const site = await ctx.sites.find(siteId);
  if (site === undefined) return refuse('SITE_NOT_FOUND');
  const [serials, renewals, latest] = await Promise.all([
    ctx.sites.serialsOf(site.id),
    ctx.renewals.list({ siteId: site.id }),
    ctx.siteReports.latest(site.id),
  ]);
  const report = latest === undefined ? null : { ...latest.report, receivedAt: latest.receivedAt };
  return ok({ site, serials, renewals, report });
}

export async function listSites(ctx: ServerContext): Promise<SiteSummary[]> {
  const [sites, reported] = await Promise.all([ctx.sites.list(), ctx.siteReports.receivedTimes()]);
  return Promise.all(
    sites.map(async (site) => ({
      ...site,
      serials: await ctx.sites.serialsOf(site.id),
      lastReportAt: reported.get(site.id) ?? null,
    })),
  );
}
