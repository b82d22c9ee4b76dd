import type { SiteDb } from './database.js';

/** A donation as the child saw it: which donor, which key, when signed, which donation. */
export interface DonationMark {
  readonly donorSiteId: string;
  readonly serial: string;
  readonly issuedAt: string;
  readonly donationId: string;
}

/**
 * What a child remembers of each donor's donations of each key, after the key itself may be gone
 * (withdrawn, or replaced by a renewal): an older donation sent again is a replay, and the same
 * one sent again (its answer was lost) is the same donation.
 */
export class DonationMarks {
  constructor(private readonly db: SiteDb) {}

  async verdict(mark: DonationMark): Promise<'new' | 'again' | 'replayed'> {
    const seen = await this.db
      .selectFrom('donation_marks')
      .select(['issued_at', 'donation_id'])
      .where('donor_site_id', '=', mark.donorSiteId)
      .where('serial', '=', mark.serial)
      .executeTakeFirst();
    if (seen === undefined || seen.issued_at < mark.issuedAt) return 'new';
    if (seen.issued_at > mark.issuedAt) return 'replayed';
    // Signed in the same millisecond: the same donation again, or one that cannot be ordered.
    return seen.donation_id === mark.donationId ? 'again' : 'new';
  }

  /** Remembers `mark` unless a later one is remembered already. */
  async remember(mark: DonationMark): Promise<void> {
    const values = { issued_at: mark.issuedAt, donation_id: mark.donationId };
    await this.db
      .insertInto('donation_marks')
      .values({ donor_site_id: mark.donorSiteId, serial: mark.serial, ...values })
      .onConflict((conflict) =>
        conflict
          .columns(['donor_site_id', 'serial'])
          .doUpdateSet(values)
          .where('donation_marks.issued_at', '<=', mark.issuedAt),
      )
      .execute();
  }
}
