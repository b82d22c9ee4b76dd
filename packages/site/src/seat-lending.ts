import {
  leaseDeadline,
  newId,
  ok,
  type Result,
  refuse,
  type SeatSettings,
  type SignedEnvelope,
  seatCounts,
  signSeatLease,
} from '@keyward/core';
import type { LicenseManager } from './license-manager.js';
import type { CertifiedSite, SiteIdentity } from './site-identity.js';
import type { HeldLicense, SiteLicenseStore } from './storage/license-store.js';
import type { LeaseLicenseText, LeaseRecord, SeatPool, SeatStore } from './storage/seat-store.js';

export interface LeaseRequest {
  readonly stationId: string;
  readonly product: string;
  readonly item: string;
  readonly seat: string;
  /** Days to take the seat offline; absent, the lease lives on heartbeats. */
  readonly borrowDays?: number;
  readonly nonce: string;
}

/** What a station receives: the lease signed by the site key, and the vendor's certificate of that key. */
export interface SignedLease {
  readonly lease: SignedEnvelope;
  readonly certificate: SignedEnvelope;
}

/** Lends seats of the site's licenses to stations, within the counts the vendor signed. */
export class SeatLending {
  /**
   * The licenses heartbeats last read, by serial, with the stored text they were read from: a
   * heartbeat reads that text with its lease and parses the row again only when it changed.
   */
  private readonly heldByText = new Map<string, { text: LeaseLicenseText; held: HeldLicense }>();

  constructor(
    private readonly identity: SiteIdentity,
    private readonly manager: LicenseManager,
    private readonly licenses: SiteLicenseStore,
    private readonly seats: SeatStore,
    private readonly settings: SeatSettings,
    private readonly now: () => Date,
  ) {}

  /**
   * Leases a seat of `item`/`seat` from the first license of the product that has one free. A
   * station that already holds such a seat gets the same lease again, renewed.
   */
  async lease(request: LeaseRequest): Promise<Result<SignedLease>> {
    const site = this.identity.current();
    if (!site.ok) return site;
    const now = this.now();
    const pools: Array<SeatPool & { readonly expiresAt: string | null }> = [];
    for (const held of await this.licenses.list(request.product)) {
      // A key a renewal replaced lends nothing new: it only waits for its last children to move.
      if (held.replacedBy !== null) continue;
      const terms = this.manager.terms(held);
      if (!terms.ok) return terms;
      const count = seatCounts(terms.value.contents).find(
        (pool) => pool.item === request.item && pool.seat === request.seat,
      )?.count;
      if (count !== undefined && count > 0)
        pools.push({
          serial: held.serial,
          item: request.item,
          seat: request.seat,
          count,
          expiresAt: terms.value.contents.expiresAt,
        });
    }
    if (pools.length === 0) return refuse('ITEM_NOT_LICENSED');
    const serials = pools.map((pool) => pool.serial);
    let open = false;
    for (const pool of pools) {
      const until = leaseDeadline(now, this.settings, request.borrowDays, pool.expiresAt);
      if (!until.ok && until.error.code === 'SITE_LICENSE_EXPIRED') continue;
      if (!until.ok) return until;
      open = true;
      const lease: LeaseRecord = {
        id: newId('lea', now.getTime()),
        serial: pool.serial,
        item: request.item,
        seat: request.seat,
        stationId: request.stationId,
        borrowed: request.borrowDays !== undefined,
        leasedAt: now.toISOString(),
        expiresAt: until.value.toISOString(),
      };
      const taken = await this.seats.take(pool, lease, now.toISOString(), serials);
      if (taken?.id === lease.id) return ok(this.sign(site.value, lease, request.product, request.nonce));
      // The station already holds such a seat (asked again, or twice at once): it gets that one, renewed.
      if (taken !== undefined) {
        const heldPool = pools.find((candidate) => candidate.serial === taken.serial);
        return this.renew(
          site.value,
          taken,
          request.product,
          heldPool?.expiresAt ?? null,
          request.borrowDays,
          request.nonce,
        );
      }
    }
    // Full seats say more than expired licenses: a seat may free up, an expired license will not.
    return refuse(open ? 'NO_SEAT_AVAILABLE' : 'SITE_LICENSE_EXPIRED');
  }

  /** Keeps a lease alive for another stretch of heartbeats; one that already ran out is gone. */
  async heartbeat(leaseId: string, nonce: string): Promise<Result<SignedLease>> {
    const site = this.identity.current();
    if (!site.ok) return site;
    const found = await this.seats.findWithLicense(leaseId);
    if (found === undefined) return refuse('LEASE_NOT_FOUND');
    const { lease } = found;
    const held = found.license && (await this.heldLicense(lease.serial, found.license));
    const terms = held && this.manager.terms(held);
    if (terms === undefined) return refuse('LEASE_NOT_FOUND');
    if (!terms.ok) return terms;
    return this.renew(
      site.value,
      lease,
      terms.value.product,
      terms.value.contents.expiresAt,
      undefined,
      nonce,
    );
  }

  /** The held license whose row has this text: the one read before if the text is the same. */
  private async heldLicense(serial: string, text: LeaseLicenseText): Promise<HeldLicense | undefined> {
    const known = this.heldByText.get(serial);
    if (
      known !== undefined &&
      known.text.envelope === text.envelope &&
      known.text.origin === text.origin &&
      known.text.fromSiteId === text.fromSiteId &&
      known.text.donation === text.donation
    )
      return known.held;
    const held = await this.licenses.find(serial);
    if (held === undefined) this.heldByText.delete(serial);
    else this.heldByText.set(serial, { text, held });
    return held;
  }

  async release(leaseId: string): Promise<Result<{ readonly leaseId: string }>> {
    return (await this.seats.release(leaseId)) ? ok({ leaseId }) : refuse('LEASE_NOT_FOUND');
  }

  private async renew(
    site: CertifiedSite,
    lease: LeaseRecord,
    product: string,
    licenseExpiresAt: string | null,
    borrowDays: number | undefined,
    nonce: string,
  ): Promise<Result<SignedLease>> {
    const now = this.now();
    const until = leaseDeadline(now, this.settings, borrowDays, licenseExpiresAt);
    if (!until.ok) return until;
    const renewed = await this.seats.extend(
      lease.id,
      until.value.toISOString(),
      borrowDays !== undefined,
      now.toISOString(),
    );
    if (renewed === undefined) return refuse('LEASE_EXPIRED');
    return ok(this.sign(site, renewed, product, nonce));
  }

  private sign(site: CertifiedSite, lease: LeaseRecord, product: string, nonce: string): SignedLease {
    const document = {
      leaseId: lease.id,
      siteId: site.certificate.siteId,
      serial: lease.serial,
      product,
      item: lease.item,
      seat: lease.seat,
      stationId: lease.stationId,
      borrowed: lease.borrowed,
      expiresAt: lease.expiresAt,
      issuedAt: this.now().toISOString(),
      nonce,
    };
    return { lease: signSeatLease(document, site.signer), certificate: site.certificateEnvelope };
  }
}
