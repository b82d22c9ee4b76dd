import {
  decodeSiteLicenseFile,
  encodeSiteLicenseFile,
  ok,
  type Result,
  refuse,
  type SignedEnvelope,
  type SiteLicense,
  type Verified,
  verifyDonation,
  verifySiteLicense,
} from '@keyward/core';
import { writeKeyFile } from './key-files.js';
import type { CertifiedSite, SiteIdentity } from './site-identity.js';
import type { DonationRecord, DonationState, DonationStore } from './storage/donation-store.js';
import type { HeldLicense, LicenseOrigin, SiteLicenseStore } from './storage/license-store.js';
import type { LeaseRecord, SeatStore } from './storage/seat-store.js';

/** A station holding a seat of a license: the objects a license is propagated to, for now. */
export interface StationHolding {
  readonly stationId: string;
  readonly item: string;
  readonly seat: string;
  readonly borrowed: boolean;
  readonly expiresAt: string;
}

/** A child site server holding a share of a license's seats. */
export interface NeighbourHolding {
  readonly siteId: string;
  readonly seats: number;
  readonly state: DonationState;
}

/** A license as the license manager lists it. */
export interface LicenseView {
  readonly serial: string;
  readonly product: string;
  readonly items: SiteLicense['contents']['items'];
  readonly expiresAt: string | null;
  readonly origin: LicenseOrigin;
  /** The parent site server that donated a `neighbour` license. */
  readonly fromSiteId: string | null;
  readonly addedAt: string;
  /** Set once a renewal replaced this key; it goes when no child uses it any more. */
  readonly replacedBy: string | null;
  /** The key file in the data directory; none for an automatically renewed key until exported. */
  readonly keyFile: string | null;
  readonly propagation: {
    readonly stations: readonly StationHolding[];
    readonly neighbours: readonly NeighbourHolding[];
  };
}

/**
 * The license manager: key files in, key files out. Nothing is held that the vendor did not sign
 * for this site, and the terms are read from the signed document each time they are used.
 */
export class LicenseManager {
  /** Verified terms by serial, with the signed bytes they came from: a changed document is verified anew. */
  private readonly verified = new Map<string, { held: HeldLicense; terms: Verified<SiteLicense> }>();

  constructor(
    private readonly identity: SiteIdentity,
    private readonly licenses: SiteLicenseStore,
    private readonly seats: SeatStore,
    private readonly donations: DonationStore,
    private readonly keysDir: string,
    private readonly now: () => Date,
  ) {}

  /**
   * Adds a key file and keeps a copy in the data directory: damaged (`FILE_CORRUPTED`) and edited
   * or foreign (`SIGNATURE_INVALID`, `WRONG_SITE`) files are refused.
   */
  async add(fileText: string): Promise<Result<LicenseView>> {
    const license = this.read(fileText);
    if (!license.ok) return license;
    // The copy kept is written from the signed document, so its readable headers are the vendor's.
    const keyFile = await writeKeyFile(
      this.keysDir,
      license.value.terms.serial,
      encodeSiteLicenseFile(license.value.envelope, license.value.terms),
    );
    const held = this.held(license.value, 'manual', keyFile);
    if (!(await this.licenses.add(held, license.value.terms.contents.expiresAt)))
      return refuse('SITE_LICENSE_EXISTS');
    return ok(viewOf(held, license.value.terms, [], []));
  }

  /**
   * Adds a renewal the vendor handed the expiration task; it has no key file until exported. A
   * renewal the administrator added by hand beforehand is used as it is.
   */
  async addRenewal(fileText: string): Promise<Result<{ held: HeldLicense; terms: Verified<SiteLicense> }>> {
    const license = this.read(fileText);
    if (!license.ok) return license;
    const known = await this.licenses.find(license.value.terms.serial);
    if (known !== undefined) {
      const terms = this.terms(known);
      return terms.ok ? ok({ held: known, terms: terms.value }) : terms;
    }
    const held = this.held(license.value, 'renewal', null);
    if (!(await this.licenses.add(held, license.value.terms.contents.expiresAt)))
      return this.addRenewal(fileText);
    return ok({ held, terms: license.value.terms });
  }

  private read(fileText: string): Result<{ envelope: SignedEnvelope; terms: Verified<SiteLicense> }> {
    const envelope = decodeSiteLicenseFile(fileText);
    if (!envelope.ok) return envelope;
    const site = this.identity.current();
    if (!site.ok) return site;
    const terms = verifySiteLicense(envelope.value, site.value.vendorKeys, site.value.certificate);
    return terms.ok ? ok({ envelope: envelope.value, terms: terms.value }) : terms;
  }

  private held(
    license: { envelope: SignedEnvelope; terms: SiteLicense },
    origin: LicenseOrigin,
    keyFile: string | null,
  ): HeldLicense {
    return {
      serial: license.terms.serial,
      product: license.terms.product,
      envelope: license.envelope,
      origin,
      addedAt: this.now().toISOString(),
      replacedBy: null,
      keyFile,
    };
  }

  async list(): Promise<Result<LicenseView[]>> {
    const site = this.identity.current();
    if (!site.ok) return site;
    const leases = await this.seats.live(this.now().toISOString());
    const donations = await this.donations.list();
    const views: LicenseView[] = [];
    for (const held of await this.licenses.list()) {
      const terms = this.terms(held);
      if (!terms.ok) return terms;
      views.push(viewOf(held, terms.value, leases, donations));
    }
    return ok(views);
  }

  /**
   * The key file of a held license, as the vendor signed it (what `add` accepts again), also
   * written to the data directory: the way an automatically renewed key gets a file.
   */
  async exportFile(
    serial: string,
  ): Promise<Result<{ readonly serial: string; readonly file: string; readonly keyFile: string }>> {
    const held = await this.licenses.find(serial);
    if (held === undefined) return refuse('SITE_LICENSE_NOT_FOUND');
    const terms = this.terms(held);
    if (!terms.ok) return terms;
    const file = encodeSiteLicenseFile(held.envelope, terms.value);
    const keyFile = await writeKeyFile(this.keysDir, serial, file);
    await this.licenses.setKeyFile(serial, keyFile);
    return ok({ serial, file, keyFile });
  }

  /** The key file of a held license, without writing it anywhere: what a notification carries. */
  async keyFileText(held: HeldLicense): Promise<Result<string>> {
    const terms = this.terms(held);
    return terms.ok ? ok(encodeSiteLicenseFile(held.envelope, terms.value)) : terms;
  }

  /** Removes a license and the leases of its seats; a file exported earlier stays where it is. */
  async remove(
    serial: string,
  ): Promise<Result<{ readonly serial: string; readonly stillHeldBy: readonly string[] }>> {
    if (!(await this.licenses.remove(serial))) return refuse('SITE_LICENSE_NOT_FOUND');
    // Seats a child holds stay counted: added again, the key lends only what the children left.
    const donated = await this.donations.list(serial);
    return ok({
      serial,
      stillHeldBy: donated.filter((d) => d.state !== 'waiting').map((d) => d.neighbourSiteId),
    });
  }

  /**
   * The verified terms of a held license; a row edited in the database does not verify. A
   * neighbour's license lends only the donated seats, as the donor signed them.
   */
  terms(held: HeldLicense): Result<Verified<SiteLicense>> {
    const site = this.identity.current();
    if (!site.ok) return site;
    const known = this.verified.get(held.serial);
    if (known !== undefined && sameSigned(known.held, held)) return ok(known.terms);
    const verified = verifiedTerms(held, site.value);
    if (!verified.ok)
      return refuse(
        'TAMPER_DETECTED',
        `The license ${held.serial} held by this site server does not verify.`,
      );
    this.verified.set(held.serial, { held, terms: verified.value });
    return verified;
  }
}

function sameEnvelope(a: SignedEnvelope, b: SignedEnvelope): boolean {
  return (
    a === b ||
    (a.payload === b.payload &&
      a.sig === b.sig &&
      a.kid === b.kid &&
      a.typ === b.typ &&
      a.alg === b.alg &&
      a.v === b.v &&
      JSON.stringify(a.batch) === JSON.stringify(b.batch))
  );
}

/**
 * Whether two reads of a license hold the same signed documents, all that its verification
 * depends on: compared field by field, which costs far less than serializing both.
 */
function sameSigned(a: HeldLicense, b: HeldLicense): boolean {
  if (a === b) return true;
  if (!sameEnvelope(a.envelope, b.envelope)) return false;
  if (a.donated === undefined || b.donated === undefined) return a.donated === b.donated;
  return (
    a.donated.fromSiteId === b.donated.fromSiteId &&
    sameEnvelope(a.donated.donation, b.donated.donation) &&
    sameEnvelope(a.donated.certificate, b.donated.certificate)
  );
}

function verifiedTerms(held: HeldLicense, site: CertifiedSite): Result<Verified<SiteLicense>> {
  if (held.donated === undefined) return verifySiteLicense(held.envelope, site.vendorKeys, site.certificate);
  const received = verifyDonation(
    { donation: held.donated.donation, license: held.envelope, certificate: held.donated.certificate },
    site.vendorKeys,
    site.certificate.siteId,
  );
  if (!received.ok) return received;
  // The row names the donor and serial only to find the license: the signed documents must agree.
  return received.value.donor.siteId === held.donated.fromSiteId &&
    received.value.terms.serial === held.serial
    ? ok(received.value.terms)
    : refuse('TAMPER_DETECTED');
}

function seatTotal(items: DonationRecord['items']): number {
  return Object.values(items).reduce(
    (sum, seats) => sum + Object.values(seats).reduce((a, b) => a + b, 0),
    0,
  );
}

function viewOf(
  held: HeldLicense,
  terms: SiteLicense,
  leases: readonly LeaseRecord[],
  donations: readonly DonationRecord[],
): LicenseView {
  return {
    serial: held.serial,
    product: held.product,
    items: terms.contents.items,
    expiresAt: terms.contents.expiresAt,
    origin: held.origin,
    fromSiteId: held.donated?.fromSiteId ?? null,
    addedAt: held.addedAt,
    replacedBy: held.replacedBy,
    keyFile: held.keyFile,
    propagation: {
      stations: leases
        .filter((lease) => lease.serial === held.serial)
        .map(({ stationId, item, seat, borrowed, expiresAt }) => ({
          stationId,
          item,
          seat,
          borrowed,
          expiresAt,
        })),
      neighbours: donations
        .filter((donation) => donation.serial === held.serial)
        .map((donation) => ({
          siteId: donation.neighbourSiteId,
          seats: seatTotal(donation.items),
          state: donation.state,
        })),
    },
  };
}
