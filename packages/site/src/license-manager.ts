import {
  decodeSiteLicenseFile,
  encodeSiteLicenseFile,
  ok,
  type Result,
  refuse,
  type SiteLicense,
  type Verified,
  verifySiteLicense,
} from '@keyward/core';
import type { SiteIdentity } from './site-identity.js';
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

/** A license as the license manager lists it. */
export interface LicenseView {
  readonly serial: string;
  readonly product: string;
  readonly items: SiteLicense['contents']['items'];
  readonly expiresAt: string | null;
  readonly origin: LicenseOrigin;
  readonly addedAt: string;
  readonly propagation: { readonly stations: readonly StationHolding[] };
}

/**
 * The license manager: key files in, key files out. Nothing is held that the vendor did not sign
 * for this site, and the terms are read from the signed document each time they are used.
 */
export class LicenseManager {
  /** Verified terms by serial, with the signed bytes they came from: a changed document is verified anew. */
  private readonly verified = new Map<string, { signed: string; terms: Verified<SiteLicense> }>();

  constructor(
    private readonly identity: SiteIdentity,
    private readonly licenses: SiteLicenseStore,
    private readonly seats: SeatStore,
    private readonly now: () => Date,
  ) {}

  /** Adds a key file: damaged (`FILE_CORRUPTED`) and edited or foreign (`SIGNATURE_INVALID`, `WRONG_SITE`) files are refused. */
  async add(fileText: string): Promise<Result<LicenseView>> {
    const envelope = decodeSiteLicenseFile(fileText);
    if (!envelope.ok) return envelope;
    const site = this.identity.current();
    if (!site.ok) return site;
    const license = verifySiteLicense(envelope.value, site.value.vendorKeys, site.value.certificate);
    if (!license.ok) return license;
    const held: HeldLicense = {
      serial: license.value.serial,
      product: license.value.product,
      envelope: envelope.value,
      origin: 'manual',
      addedAt: this.now().toISOString(),
    };
    if (!(await this.licenses.add(held, license.value.contents.expiresAt)))
      return refuse('SITE_LICENSE_EXISTS');
    return ok(viewOf(held, license.value, []));
  }

  async list(): Promise<Result<LicenseView[]>> {
    const site = this.identity.current();
    if (!site.ok) return site;
    const leases = await this.seats.live(this.now().toISOString());
    const views: LicenseView[] = [];
    for (const held of await this.licenses.list()) {
      const terms = this.terms(held);
      if (!terms.ok) return terms;
      views.push(viewOf(held, terms.value, leases));
    }
    return ok(views);
  }

  /** The key file of a held license, as the vendor signed it: what `add` accepts again. */
  async exportFile(serial: string): Promise<Result<{ readonly serial: string; readonly file: string }>> {
    const held = await this.licenses.find(serial);
    if (held === undefined) return refuse('SITE_LICENSE_NOT_FOUND');
    const terms = this.terms(held);
    if (!terms.ok) return terms;
    return ok({ serial, file: encodeSiteLicenseFile(held.envelope, terms.value) });
  }

  /** Removes a license and the leases of its seats; a file exported earlier stays where it is. */
  async remove(serial: string): Promise<Result<{ readonly serial: string }>> {
    return (await this.licenses.remove(serial)) ? ok({ serial }) : refuse('SITE_LICENSE_NOT_FOUND');
  }

  /** The verified terms of a held license; a row edited in the database does not verify. */
  terms(held: HeldLicense): Result<Verified<SiteLicense>> {
    const site = this.identity.current();
    if (!site.ok) return site;
    const signed = JSON.stringify(held.envelope);
    const known = this.verified.get(held.serial);
    if (known?.signed === signed) return ok(known.terms);
    const verified = verifySiteLicense(held.envelope, site.value.vendorKeys, site.value.certificate);
    if (!verified.ok)
      return refuse(
        'TAMPER_DETECTED',
        `The license ${held.serial} held by this site server does not verify.`,
      );
    this.verified.set(held.serial, { signed, terms: verified.value });
    return verified;
  }
}

function viewOf(held: HeldLicense, terms: SiteLicense, leases: readonly LeaseRecord[]): LicenseView {
  return {
    serial: held.serial,
    product: held.product,
    items: terms.contents.items,
    expiresAt: terms.contents.expiresAt,
    origin: held.origin,
    addedAt: held.addedAt,
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
    },
  };
}
