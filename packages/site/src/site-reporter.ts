import { createHash } from 'node:crypto';
import { ok, type Result, refuse, type SiteReport } from '@keyward/core';
import type { LicenseManager, LicenseView } from './license-manager.js';
import type { VendorLink } from './vendor-link.js';

type ReportedLicense = SiteReport['licenses'][number];

function reported(view: LicenseView): ReportedLicense {
  return {
    serial: view.serial,
    product: view.product,
    origin: view.origin,
    expiresAt: view.expiresAt,
    fromSiteId: view.fromSiteId,
    replacedBy: view.replacedBy,
    stations: new Set(view.propagation.stations.map((station) => station.stationId)).size,
    neighbours: view.propagation.neighbours.map(({ siteId, seats, state }) => ({ siteId, seats, state })),
  };
}

/**
 * Keeps the vendor's fleet view of this site current: what the site holds and where each key is
 * propagated. A report is sent when that changed since the last one the vendor took.
 */
export class SiteReporter {
  private lastSent: string | undefined;

  constructor(
    private readonly manager: LicenseManager,
    private readonly vendor: VendorLink,
    private readonly protocol: number,
  ) {}

  async report(): Promise<Result<{ readonly sent: boolean }>> {
    // Every live lease is read to build a report: not worth it with nowhere to send it.
    if (!this.vendor.configured) return refuse('VENDOR_URL_MISSING');
    const views = await this.manager.list();
    if (!views.ok) return views;
    const licenses = views.value.map(reported);
    const digest = createHash('sha256').update(JSON.stringify(licenses)).digest('base64url');
    if (digest === this.lastSent) return ok({ sent: false });
    const sent = await this.vendor.report({ protocol: this.protocol, licenses });
    if (!sent.ok) return sent;
    this.lastSent = digest;
    return ok({ sent: true });
  }
}
