import {
  decodeSiteLicenseFile,
  encodeSiteLicenseFile,
  ok,
  type Result,
  refuse,
  type SignedEnvelope,
  type SiteLicense,
  type Verified,
  verifySiteLicense,
} from '@keyward/core';
import { writeKeyFile } from './key-files.js';
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
  /** Set once a renewal replaced this key; it goes when no child uses it any more. */
  readonly replacedBy: string | null;
  /** The key file in the data directory; none for an automatically renewed key until exported. */
  readonly keyFile: string | null;
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
    const keyFile = await writeKeyFile(this.keysDir, license.value.terms.serial, fileText);
    const held = this.held(license.value, 'manual', keyFile);
    if (!(await this.licenses.add(held, license.value.terms.contents.expiresAt)))
      return refuse('SITE_LICENSE_EXISTS');
    return ok(viewOf(held, license.value.terms, []));
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
    const views: LicenseView[] = [];
    for (const held of await this.licenses.list()) {
      const terms = this.terms(held);
      if (!terms.ok) return terms;
      views.push(viewOf(held, terms.value, leases));
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
    },
  };
}
