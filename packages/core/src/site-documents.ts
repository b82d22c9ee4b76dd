import type { Static } from 'typebox';
import { decodeArmor, encodeArmor } from './armor.js';
import { publicKeyFromRaw } from './crypto/keys.js';
import {
  parseSignedEnvelope,
  type SignedEnvelope,
  type Signer,
  signDocument,
} from './crypto/signed-envelope.js';
import { documentReader } from './document-reader.js';
import { type DocumentKind, openDocument, type Verified } from './documents.js';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';
import type { SeatLeaseSchema, SiteCertificateSchema, SiteLicenseSchema } from './schemas/site.js';
import type { VendorKeys } from './terms.js';

export type SiteCertificate = Static<typeof SiteCertificateSchema>;
export type SiteLicense = Static<typeof SiteLicenseSchema>;
export type SeatLease = Static<typeof SeatLeaseSchema>;

/** Documents of the site server: the vendor signs the first two, the site key signs leases. */
export const SITE_DOCUMENTS = {
  siteCertificate: {
    typ: 'site-certificate',
    reader: documentReader<SiteCertificate>('siteCertificate', 'site certificate'),
  },
  siteLicense: {
    typ: 'site-license',
    reader: documentReader<SiteLicense>('siteLicense', 'site license'),
  },
  seatLease: {
    typ: 'seat-lease',
    reader: documentReader<SeatLease>('seatLease', 'seat lease'),
  },
} as const satisfies Record<string, DocumentKind<unknown>>;

/** Armor label of a site license key file: what `keyward site license add` reads and `export` writes. */
export const SITE_LICENSE_LABEL = 'SITE LICENSE';

export function signSiteCertificate(certificate: SiteCertificate, vendor: Signer): SignedEnvelope {
  return signDocument(SITE_DOCUMENTS.siteCertificate.typ, certificate, vendor);
}

export function signSiteLicense(license: SiteLicense, vendor: Signer): SignedEnvelope {
  return signDocument(SITE_DOCUMENTS.siteLicense.typ, license, vendor);
}

export function signSeatLease(lease: SeatLease, site: Signer): SignedEnvelope {
  return signDocument(SITE_DOCUMENTS.seatLease.typ, lease, site);
}

/** A vendor signature that does not verify is a forgery, whatever the reason a key was not found. */
function vendorSigned<T>(envelope: unknown, kind: DocumentKind<T>, vendor: VendorKeys): Result<Verified<T>> {
  const opened = openDocument(envelope, kind, vendor.byKid);
  if (!opened.ok && opened.error.code === 'UNKNOWN_KEY_ID')
    return refuse('SIGNATURE_INVALID', `The ${kind.typ} is not signed by this product's vendor.`);
  return opened;
}

export function verifySiteCertificate(
  envelope: unknown,
  vendor: VendorKeys,
): Result<Verified<SiteCertificate>> {
  return vendorSigned(envelope, SITE_DOCUMENTS.siteCertificate, vendor);
}

/** A site license verified against the vendor's keys, for the site that `certificate` names. */
export function verifySiteLicense(
  envelope: unknown,
  vendor: VendorKeys,
  certificate: SiteCertificate,
): Result<Verified<SiteLicense>> {
  const license = vendorSigned(envelope, SITE_DOCUMENTS.siteLicense, vendor);
  if (!license.ok) return license;
  if (license.value.siteId !== certificate.siteId) return refuse('WRONG_SITE');
  return license;
}

/** The key id a site key signs with: leases name it, so a lease from another site is told apart. */
export function siteKeyId(certificate: SiteCertificate): string {
  return `site-${certificate.siteId}`;
}

/**
 * What a station checks before it uses a lease: the vendor signed the site's certificate, and
 * the site key in it signed the lease. A lease signed by any other key, however it names the
 * site, is refused.
 */
export function verifySeatLease(
  leaseEnvelope: unknown,
  certificateEnvelope: unknown,
  vendor: VendorKeys,
): Result<{ readonly lease: Verified<SeatLease>; readonly certificate: Verified<SiteCertificate> }> {
  const certificate = verifySiteCertificate(certificateEnvelope, vendor);
  if (!certificate.ok) return certificate;
  const siteKey = publicKeyFromRaw('ed25519', certificate.value.siteKey);
  const kid = siteKeyId(certificate.value);
  const lease = openDocument(leaseEnvelope, SITE_DOCUMENTS.seatLease, (named) =>
    named === kid ? siteKey : undefined,
  );
  if (!lease.ok) {
    return lease.error.code === 'UNKNOWN_KEY_ID'
      ? refuse('SIGNATURE_INVALID', 'The lease is not signed by the site server the vendor certified.')
      : lease;
  }
  if (lease.value.siteId !== certificate.value.siteId) return refuse('WRONG_SITE');
  return ok({ lease: lease.value, certificate: certificate.value });
}

/** A site license as a key file: armored, so a damaged file says so before its signature is read. */
export function encodeSiteLicenseFile(envelope: SignedEnvelope, license: SiteLicense): string {
  return encodeArmor({
    label: SITE_LICENSE_LABEL,
    headers: { Serial: license.serial, Product: license.product },
    body: Buffer.from(JSON.stringify(envelope), 'utf8'),
  });
}

/** The signed envelope inside a key file, unverified: `verifySiteLicense` is the next step. */
export function decodeSiteLicenseFile(text: string): Result<SignedEnvelope> {
  const file = decodeArmor(text, SITE_LICENSE_LABEL);
  if (!file.ok) return file;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(file.value.body).toString('utf8'));
  } catch {
    return refuse('FILE_CORRUPTED', 'The key file does not hold a signed document.');
  }
  return parseSignedEnvelope(value);
}
