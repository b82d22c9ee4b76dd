import {
  type DonationBundle,
  ok,
  type ReceivedDonation,
  type Result,
  refuse,
  type SeatDonation,
  seatCounts,
  signDonationReceipt,
  verifyDonation,
} from '@keyward/core';
import type { LicenseManager } from './license-manager.js';
import type { DonationAck } from './neighbour-client.js';
import type { MovedLeases, Propagation } from './propagation.js';
import type { SiteIdentity } from './site-identity.js';
import type { DonationMark, DonationMarks } from './storage/donation-marks.js';
import type { HeldDonation, SiteLicenseStore } from './storage/license-store.js';
import type { NeighbourStore } from './storage/neighbour-store.js';
import type { SeatStore } from './storage/seat-store.js';

/** A parent's new key took over from its old one on this site (protocol 2): what a notification tells. */
export interface LicenseReplaced {
  readonly oldSerial: string;
  readonly oldExpiresAt: string | null;
  readonly newSerial: string;
  readonly product: string;
  readonly expiresAt: string | null;
  readonly fromSiteId: string;
  readonly stations: MovedLeases;
}

const REPLAYED = 'This donation is older than one this site server already took from that donor.';

function markOf(donation: SeatDonation): DonationMark {
  return {
    donorSiteId: donation.fromSiteId,
    serial: donation.serial,
    issuedAt: donation.issuedAt,
    donationId: donation.donationId,
  };
}

/**
 * The receiving side of seat donations: a child takes seats only from the parents its
 * administrator listed, and only as the vendor and the donor signed them. The bundle is stored
 * as received, so the license manager verifies it again whenever it reads the terms.
 */
export class DonationReceiver {
  constructor(
    private readonly identity: SiteIdentity,
    private readonly manager: LicenseManager,
    private readonly licenses: SiteLicenseStore,
    private readonly seats: SeatStore,
    private readonly neighbours: NeighbourStore,
    private readonly propagation: Propagation,
    private readonly protocol: number,
    private readonly now: () => Date,
    private readonly marks: DonationMarks,
    private readonly onReplaced: (event: LicenseReplaced) => Promise<void>,
  ) {}

  async receive(bundle: DonationBundle): Promise<Result<DonationAck>> {
    const received = await this.verify(bundle);
    if (!received.ok) return received;
    const { donation, terms, donor } = received.value;
    if (Object.keys(donation.items).length === 0)
      return refuse('VALIDATION_FAILED', 'A donation of no seats is a withdrawal: send it as one.');
    const mark = markOf(donation);
    if ((await this.marks.verdict(mark)) === 'replayed') return refuse('REQUEST_REPLAYED', REPLAYED);
    const donated: HeldDonation = {
      fromSiteId: donor.siteId,
      donation: bundle.donation,
      certificate: bundle.certificate,
    };
    const existing = await this.current(donation.serial, donor.siteId);
    if (!existing.ok) return existing;
    if (existing.value) {
      await this.licenses.redonate(donation.serial, bundle.license, donated, terms.contents.expiresAt);
      // A smaller share ends the leases it no longer covers; their stations lease again.
      await this.seats.trim(
        donation.serial,
        seatCounts(terms.contents).map((pool) => ({ ...pool, serial: donation.serial })),
      );
    } else {
      const held = {
        serial: donation.serial,
        product: donation.product,
        envelope: bundle.license,
        origin: 'neighbour' as const,
        addedAt: this.now().toISOString(),
        replacedBy: null,
        keyFile: null,
        donated,
      };
      if (!(await this.licenses.add(held, terms.contents.expiresAt))) return refuse('SITE_LICENSE_EXISTS');
    }
    await this.marks.remember(mark);
    await this.neighbours.contacted(donor.siteId, undefined, this.now().toISOString());
    const replaced = await this.replace(received.value);
    return this.receipt(donation, replaced);
  }

  /** The signed receipt the donor acts on: what this site took, and which older key it replaced. */
  private receipt(donation: SeatDonation, replaced: string | null): Result<DonationAck> {
    const site = this.identity.current();
    if (!site.ok) return site;
    const receipt = signDonationReceipt(
      {
        donationId: donation.donationId,
        fromSiteId: donation.fromSiteId,
        toSiteId: donation.toSiteId,
        serial: donation.serial,
        replaced,
        protocol: this.protocol,
        issuedAt: this.now().toISOString(),
      },
      site.value.signer,
    );
    return ok({
      serial: donation.serial,
      replaced,
      protocol: this.protocol,
      receipt,
      certificate: site.value.certificateEnvelope,
    });
  }

  /** A parent takes its seats back: with a donation of no seats, signed by it and newer than its last. */
  async withdraw(serial: string, bundle: DonationBundle): Promise<Result<{ readonly serial: string }>> {
    const received = await this.verify(bundle);
    if (!received.ok) return received;
    const { donation, donor } = received.value;
    if (donation.serial !== serial || Object.keys(donation.items).length > 0)
      return refuse('VALIDATION_FAILED', `A withdrawal of ${serial} is a donation of no seats of ${serial}.`);
    const mark = markOf(donation);
    if ((await this.marks.verdict(mark)) === 'replayed') return refuse('REQUEST_REPLAYED', REPLAYED);
    const existing = await this.current(serial, donor.siteId);
    if (!existing.ok) return existing;
    if (existing.value) await this.licenses.remove(serial);
    await this.marks.remember(mark);
    return ok({ serial });
  }

  /** The donation checked, from a parent this site lists. */
  private async verify(bundle: DonationBundle): Promise<Result<ReceivedDonation>> {
    const site = this.identity.current();
    if (!site.ok) return site;
    const received = verifyDonation(bundle, site.value.vendorKeys, site.value.certificate.siteId);
    if (!received.ok) return received;
    const parent = await this.neighbours.find(received.value.donor.siteId);
    if (parent?.role !== 'parent') return refuse('NEIGHBOUR_NOT_TRUSTED');
    return received;
  }

  /**
   * Whether this site holds `serial` from that donor (false: not at all). Another origin's key of
   * the same serial is not the donor's to change.
   */
  private async current(serial: string, donorId: string): Promise<Result<boolean>> {
    const held = await this.licenses.find(serial);
    if (held === undefined) return ok(false);
    if (held.donated?.fromSiteId !== donorId) return refuse('SITE_LICENSE_EXISTS');
    return ok(true);
  }

  /**
   * Protocol 2: the new key takes over the old key's stations and the old key goes. A protocol-1
   * server ignores `replaces` and keeps both, as older site servers did. An old key already gone
   * (a donation offered again after its answer was lost) is reported replaced all the same.
   */
  private async replace({ donation, donor, terms }: ReceivedDonation): Promise<string | null> {
    const old = donation.replaces;
    if (this.protocol < 2 || old === null || old === donation.serial) return null;
    // The old key's donations are over: sent again, they are replays.
    await this.marks.remember({ ...markOf(donation), serial: old });
    const held = await this.licenses.find(old);
    if (held === undefined) return old;
    if (held.donated?.fromSiteId !== donor.siteId) return null;
    const oldTerms = this.manager.terms(held);
    const stations = await this.propagation.moveStationLeases(old, donation.serial);
    await this.licenses.remove(old);
    await this.onReplaced({
      oldSerial: old,
      oldExpiresAt: oldTerms.ok ? oldTerms.value.contents.expiresAt : null,
      newSerial: donation.serial,
      product: donation.product,
      expiresAt: terms.contents.expiresAt,
      fromSiteId: donor.siteId,
      stations,
    });
    return old;
  }
}
