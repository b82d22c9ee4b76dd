import {
  type DonationBundle,
  newId,
  ok,
  type Result,
  refuse,
  seatsBeyond,
  signSeatDonation,
  verifyDonationReceipt,
} from '@keyward/core';
import type { LicenseManager } from './license-manager.js';
import type { NeighbourClient } from './neighbour-client.js';
import type { Neighbours } from './neighbours.js';
import type { CertifiedSite, SiteIdentity } from './site-identity.js';
import type { SeatShare } from './storage/donated-seats.js';
import type { DonationRecord, DonationState, DonationStore } from './storage/donation-store.js';
import type { HeldLicense, SiteLicenseStore } from './storage/license-store.js';
import type { NeighbourRecord, NeighbourStore } from './storage/neighbour-store.js';

/** A donation as the administrator sees it. */
export interface DonationView {
  readonly serial: string;
  readonly neighbour: string;
  readonly items: SeatShare;
  readonly state: DonationState;
  readonly replaces: string | null;
}

/** What one offer of a donation to its child came to. */
export interface Offered {
  readonly state: DonationState;
  /** The older key the child replaced with this donation (protocol 2). */
  readonly replaced: string | null;
}

/** `share` with the pools of `more` set to their counts. */
function merged(share: SeatShare, more: SeatShare): SeatShare {
  const result: Record<string, Record<string, number>> = {};
  for (const [item, seats] of [...Object.entries(share), ...Object.entries(more)])
    result[item] = { ...result[item], ...seats };
  return result;
}

function seatList(items: SeatShare): string {
  return Object.entries(items)
    .flatMap(([item, seats]) => Object.entries(seats).map(([seat, count]) => `${item}/${seat} ${count}`))
    .join(', ');
}

/**
 * The donor's side of seat donations: seats of this site's own licenses given to child site
 * servers. A donation holds its seats here from the moment it is reserved (pending), so the
 * child's stations and this site's stations together never exceed the vendor's count.
 */
export class Donations {
  constructor(
    private readonly identity: SiteIdentity,
    private readonly manager: LicenseManager,
    private readonly licenses: SiteLicenseStore,
    private readonly store: DonationStore,
    private readonly neighbourStore: NeighbourStore,
    private readonly neighbours: Neighbours,
    private readonly client: NeighbourClient,
    private readonly protocol: number,
    private readonly now: () => Date,
  ) {}

  /**
   * Donates `items` of a license to a child (adding to the share it has), if the seats are free,
   * and offers it at once; a child that does not answer gets it from the neighbour loop.
   */
  async donate(serial: string, neighbourSiteId: string, items: SeatShare): Promise<Result<DonationView>> {
    const held = await this.licenses.find(serial);
    if (held === undefined) return refuse('SITE_LICENSE_NOT_FOUND');
    if (held.origin === 'neighbour') return refuse('NEIGHBOUR_LICENSE_NOT_DONATABLE');
    const child = await this.neighbourStore.find(neighbourSiteId);
    if (child?.role !== 'child') return refuse('NEIGHBOUR_NOT_FOUND');
    const terms = this.manager.terms(held);
    if (!terms.ok) return terms;
    const beyond = seatsBeyond(items, terms.value.contents.items);
    if (beyond.length > 0)
      return refuse(
        'DONATION_EXCEEDS_LICENSE',
        `The license ${serial} does not hold that many seats of ${beyond.join(', ')} (its seats: ${seatList(terms.value.contents.items)}).`,
        { seats: beyond },
      );
    const existing = await this.store.find(serial, neighbourSiteId);
    const record = {
      id: newId('don', this.now().getTime()),
      serial,
      neighbourSiteId,
      items: merged(existing?.items ?? {}, items),
      replaces: existing?.replaces ?? null,
      createdAt: this.now().toISOString(),
    };
    const state = await this.store.place(record, terms.value.contents.items, record.createdAt, 'refuse');
    if (state === undefined) return refuse('NOT_ENOUGH_SEATS');
    const offered = await this.offer({ ...record, state, deliveredAt: null });
    return ok({
      serial,
      neighbour: neighbourSiteId,
      items: record.items,
      state: offered.state,
      replaces: record.replaces,
    });
  }

  /**
   * Takes a donation back: the child is told with a withdrawal signed by this site (a donation of
   * no seats), and only once it has answered are the seats free here again.
   */
  async withdraw(
    serial: string,
    neighbourSiteId: string,
  ): Promise<Result<{ serial: string; neighbour: string }>> {
    const record = await this.store.find(serial, neighbourSiteId);
    if (record === undefined)
      return refuse('NEIGHBOUR_NOT_FOUND', `The license ${serial} is not propagated to ${neighbourSiteId}.`);
    if (record.state !== 'waiting') {
      const site = this.identity.current();
      if (!site.ok) return site;
      const child = await this.neighbourStore.find(neighbourSiteId);
      const held = await this.licenses.find(serial);
      // The child checks a withdrawal against the key, as it checked the donation.
      if (held === undefined)
        return refuse(
          'SITE_LICENSE_NOT_FOUND',
          `The key ${serial} was removed from this site server: add it again to take its seats back from ${neighbourSiteId}.`,
        );
      if (child?.url != null) {
        const withdrawal = this.bundle(site.value, held, child, {
          ...record,
          id: newId('don', this.now().getTime()),
          items: {},
          replaces: null,
          createdAt: this.now().toISOString(),
        });
        const told = await this.client.withdraw(child.url, serial, withdrawal);
        // Only silence keeps the seats away: a child that refuses does not hold them from this site.
        if (!told.ok && told.error.code === 'NEIGHBOUR_UNREACHABLE') {
          await this.neighbourStore.failed(neighbourSiteId, told.error.message);
          return told;
        }
      }
    }
    await this.store.remove(serial, neighbourSiteId);
    return ok({ serial, neighbour: neighbourSiteId });
  }

  /**
   * Offers a pending donation to its child. Delivered, it may have replaced the older key's
   * donation on the child (protocol 2): that one then holds no seats here any more.
   */
  async offer(record: DonationRecord): Promise<Offered> {
    if (record.state !== 'pending') return { state: record.state, replaced: null };
    const site = this.identity.current();
    const held = await this.licenses.find(record.serial);
    let child = await this.neighbourStore.find(record.neighbourSiteId);
    if (!site.ok || held === undefined || child?.url == null) return { state: 'pending', replaced: null };
    // Whether to ask for a replacement depends on the child's protocol: learn it first.
    if (child.protocol === null) child = await this.neighbours.refresh(child);
    if (child.url === null || child.protocol === null) return { state: 'pending', replaced: null };
    const ack = await this.client.deliver(child.url, this.bundle(site.value, held, child, record));
    if (!ack.ok) {
      await this.neighbourStore.failed(child.siteId, ack.error.message);
      return { state: 'pending', replaced: null };
    }
    // Delivered, and the old key's donation dropped, only on the child's signed word.
    const receipt = verifyDonationReceipt(ack.value.receipt, ack.value.certificate, site.value.vendorKeys, {
      donationId: record.id,
      fromSiteId: site.value.certificate.siteId,
      toSiteId: child.siteId,
    });
    if (!receipt.ok) {
      await this.neighbourStore.failed(child.siteId, receipt.error.message);
      return { state: 'pending', replaced: null };
    }
    const at = this.now().toISOString();
    await this.neighbourStore.contacted(child.siteId, receipt.value.protocol, at);
    await this.store.delivered(record.id, at);
    const replaced =
      record.replaces !== null && receipt.value.replaced === record.replaces ? record.replaces : null;
    if (replaced !== null) await this.store.remove(replaced, child.siteId);
    return { state: 'delivered', replaced };
  }

  /** One turn of the neighbour loop: waiting donations take seats freed since, pending ones are offered. */
  async sync(): Promise<void> {
    for (const record of await this.store.undelivered()) {
      let state = record.state;
      if (state === 'waiting') {
        const held = await this.licenses.find(record.serial);
        const terms = held && this.manager.terms(held);
        if (!terms?.ok) continue;
        const at = this.now().toISOString();
        if (!(await this.store.reserve(record.id, terms.value.contents.items, at))) continue;
        state = 'pending';
      }
      await this.offer({ ...record, state });
    }
  }

  private bundle(
    site: CertifiedSite,
    held: HeldLicense,
    child: NeighbourRecord,
    record: Omit<DonationRecord, 'state' | 'deliveredAt'>,
  ): DonationBundle {
    // Protocol 1 servers know nothing of replacement: they are never asked for one.
    const replaces = this.protocol >= 2 && (child.protocol ?? 1) >= 2 ? record.replaces : null;
    const donation = signSeatDonation(
      {
        donationId: record.id,
        fromSiteId: site.certificate.siteId,
        toSiteId: child.siteId,
        serial: held.serial,
        product: held.product,
        items: record.items,
        replaces,
        issuedAt: record.createdAt,
      },
      site.signer,
    );
    return { donation, license: held.envelope, certificate: site.certificateEnvelope };
  }
}
