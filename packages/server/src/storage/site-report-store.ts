import type { SiteReport } from '@keyward/core';
import type { VendorDb } from './database.js';

/** The latest report of a site server, as the vendor received it. */
export interface StoredSiteReport {
  readonly report: SiteReport;
  readonly receivedAt: string;
}

/** The latest report of each site server: the fleet view. */
export class SiteReportStore {
  constructor(private readonly db: VendorDb) {}

  /**
   * Keeps `report` unless the site's stored report is as new or newer; returns whether it was
   * kept. The database compares, so reports crossing on the way keep the newest whatever the order.
   * `issuedAt` must be in the canonical ISO form so that text order is time order.
   */
  async keepIfNewer(report: SiteReport, issuedAt: string, receivedAt: string): Promise<boolean> {
    const row = {
      site_id: report.siteId,
      report: JSON.stringify(report),
      issued_at: issuedAt,
      received_at: receivedAt,
    };
    const result = await this.db
      .insertInto('site_reports')
      .values(row)
      .onConflict((conflict) =>
        conflict
          .column('site_id')
          .doUpdateSet({ report: row.report, issued_at: issuedAt, received_at: receivedAt })
          .where('site_reports.issued_at', '<', issuedAt),
      )
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async latest(siteId: string): Promise<StoredSiteReport | undefined> {
    const row = await this.db
      .selectFrom('site_reports')
      .select(['report', 'received_at'])
      .where('site_id', '=', siteId)
      .executeTakeFirst();
    return row && { report: JSON.parse(row.report) as SiteReport, receivedAt: row.received_at };
  }

  /** When each site last reported, by site id. */
  async receivedTimes(): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom('site_reports').select(['site_id', 'received_at']).execute();
    return new Map(rows.map((row) => [row.site_id, row.received_at]));
  }
}
