import { newId, ok, type Result, refuse, type SiteLicense, seatCounts, type Verified } from '@keyward/core';
import type { Donations } from './donations.js';
import type { LicenseManager } from './license-manager.js';
import type { DonationState, DonationStore } from './storage/donation-store.js';
import type { SiteLicenseStore } from './storage/license-store.js';
import type { SeatStore } from './storage/seat-store.js';

/** Stations whose leases moved to the new key, and those whose leases did not fit and were ended. */
export interface MovedLeases {
  readonly moved: string[];
  readonly left: string[];
}

/** What propagating a new key to a child that held the old one came to. */
export interface NeighbourPropagation {
  readonly siteId: string;
  readonly state: DonationState;
  /** The child replaced the old key's seats with the new key's (protocol 2). */
  readonly replaced: boolean;
}

/**
 * Where a license is propagated (stations holding its seats, children holding a share) and how a
 * new key takes over from an old one: used by the administrator's commands, by a child receiving
 * a replacement, and by the automatic renewal task.
 */
export class Propagation {
  constructor(
    private readonly manager: LicenseManager,
    private readonly licenses: SiteLicenseStore,
    private readonly seats: SeatStore,
    private readonly store: DonationStore,
    private readonly donations: Donations,
    private readonly now: () => Date,
  ) {}

  /**
   * Moves the live station leases of `oldSerial` (of `stationIds`, or all) to `newSerial`: same
   * lease id, item, seat and end, in a slot free within the new key's count less its donations.
   * Leases that do not fit are ended, so those stations lease again on their next connection.
   * Station ids come back once per lease. The new key must be held.
   */
  async moveStationLeases(oldSerial: string, newSerial: string, stationIds?: string[]): Promise<MovedLeases> {
    const terms = await this.heldTerms(newSerial);
    const counts = seatCounts(terms.contents);
    const now = this.now().toISOString();
    const result: MovedLeases = { moved: [], left: [] };
    if (oldSerial === newSerial) return result;
    for (const lease of await this.seats.liveOf(oldSerial, now, stationIds)) {
      const count = counts.find((pool) => pool.item === lease.item && pool.seat === lease.seat)?.count ?? 0;
      const outcome = await this.seats.move(
        lease.id,
        { serial: newSerial, item: lease.item, seat: lease.seat, count },
        now,
      );
      if (outcome !== 'gone') result[outcome].push(lease.stationId);
    }
    return result;
  }

  /** `keyward site license propagate NEW --station ID`: the stations' leases of the product move to NEW. */
  async propagateToStations(newSerial: string, stationIds: string[]): Promise<Result<MovedLeases>> {
    const held = await this.licenses.find(newSerial);
    if (held === undefined) return refuse('SITE_LICENSE_NOT_FOUND');
    const terms = this.manager.terms(held);
    if (!terms.ok) return terms;
    const result: MovedLeases = { moved: [], left: [] };
    for (const other of await this.licenses.list(held.product)) {
      const moved = await this.moveStationLeases(other.serial, newSerial, stationIds);
      result.moved.push(...moved.moved);
      result.left.push(...moved.left);
    }
    return ok(result);
  }

  /**
   * Gives every child that holds a share of `oldSerial` the same share of `newSerial`, asking a
   * protocol-2 child to replace the old one. Children that already hold a share of the new key
   * (propagated by hand) are left as they are. When the new key's seats are not free, the old
   * share is dropped all the same and the new one waits for the neighbour loop.
   */
  async propagateToNeighbours(oldSerial: string, newSerial: string): Promise<NeighbourPropagation[]> {
    const terms = await this.heldTerms(newSerial);
    const already = new Set((await this.store.list(newSerial)).map((donation) => donation.neighbourSiteId));
    const results: NeighbourPropagation[] = [];
    for (const old of await this.store.list(oldSerial)) {
      if (already.has(old.neighbourSiteId)) continue;
      const record = {
        id: newId('don', this.now().getTime()),
        serial: newSerial,
        neighbourSiteId: old.neighbourSiteId,
        items: old.items,
        replaces: oldSerial,
        createdAt: this.now().toISOString(),
      };
      const state = await this.store.place(record, terms.contents.items, record.createdAt, 'wait');
      if (state !== 'pending') {
        await this.store.remove(oldSerial, old.neighbourSiteId);
        results.push({ siteId: old.neighbourSiteId, state: 'waiting', replaced: false });
        continue;
      }
      const offered = await this.donations.offer({ ...record, state, deliveredAt: null });
      results.push({
        siteId: old.neighbourSiteId,
        state: offered.state,
        replaced: offered.replaced !== null,
      });
    }
    return results;
  }

  /** Who still uses a key: stations with live leases of it, and children with a share of it. */
  async childrenUsing(serial: string): Promise<{ stations: number; neighbours: string[] }> {
    const leases = await this.seats.liveOf(serial, this.now().toISOString());
    const donations = await this.store.list(serial);
    return {
      stations: new Set(leases.map((lease) => lease.stationId)).size,
      neighbours: donations.map((donation) => donation.neighbourSiteId),
    };
  }

  /** The neighbour loop's turn, now: the loop runs it about once a minute. */
  syncNeighbours(): Promise<void> {
    return this.donations.sync();
  }

  /** A key the caller names as held; its absence is the caller's bug, not a refusal. */
  private async heldTerms(serial: string): Promise<Verified<SiteLicense>> {
    const held = await this.licenses.find(serial);
    if (held === undefined) throw new Error(`The site server holds no license ${serial} to propagate.`);
    const terms = this.manager.terms(held);
    if (!terms.ok) throw new Error(terms.error.message);
    return terms.value;
  }
}
