import type { SiteReport } from '@keyward/core';
import type { SiteDetails, SiteSummary } from '../sites/site-view.js';
import type { RenewalView } from '../storage/renewal-store.js';

/** A time as the staff pages show it: to the minute, UTC (the tables say so). */
const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const expiry = (iso: string | null) => (iso === null ? 'never' : minute(iso));

export function renewalRow(renewal: RenewalView) {
  return {
    id: renewal.id,
    product: renewal.product,
    licenseSerial: renewal.licenseSerial,
    licenseExpires: expiry(renewal.licenseExpiresAt),
    renewalSerial: renewal.renewalSerial,
    renewalExpires: expiry(renewal.renewalExpiresAt),
    tied: minute(renewal.createdAt),
    fetched: renewal.fetchedAt === null ? null : minute(renewal.fetchedAt),
    fetchedBySite: renewal.fetchedBySite,
  };
}

export function siteRow(site: SiteSummary) {
  return {
    id: site.id,
    name: site.name,
    serials: site.serials.join(', ') || 'none',
    lastReport: site.lastReportAt === null ? 'never' : minute(site.lastReportAt),
  };
}

const keyRow = (key: SiteReport['licenses'][number]) => ({ ...key, expires: expiry(key.expiresAt) });

export function siteView(details: SiteDetails) {
  const { site, report } = details;
  return {
    site: { ...site, registered: minute(site.createdAt) },
    serials: details.serials.join(', ') || 'none',
    lastReport:
      report === null
        ? 'never'
        : `${minute(report.issuedAt)} (received ${minute(report.receivedAt)}, protocol ${report.protocol})`,
    keys: report === null ? null : report.licenses.map(keyRow),
    renewals: details.renewals.map(renewalRow),
  };
}
