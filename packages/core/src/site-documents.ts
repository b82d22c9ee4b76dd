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
import type {
  DonationReceiptSchema,
  RenewalAnswerSchema,
  RenewalRequestSchema,
  SeatDonationSchema,
  SeatLeaseSchema,
  SiteCertificateSchema,
  SiteLicenseSchema,
  SiteReportSchema,
} from './schemas/site.js';
import type { VendorKeys } from './terms.js';

export type SiteCertificate = Static<typeof SiteCertificateSchema>;
export type SiteLicense = Static<typeof SiteLicenseSchema>;
export type SeatLease = Static<typeof SeatLeaseSchema>;
export type RenewalRequest = Static<typeof RenewalRequestSchema>;
export type RenewalAnswer = Static<typeof RenewalAnswerSchema>;
export type SiteReport = Static<typeof SiteReportSchema>;
export type SeatDonation = Static<typeof SeatDonationSchema>;
export type DonationReceipt = Static<typeof DonationReceiptSchema>;

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
  renewalRequest: {
    typ: 'renewal-request',
    reader: documentReader<RenewalRequest>('renewalRequest', 'renewal request'),
  },
  renewalAnswer: {
    typ: 'renewal-answer',
    reader: documentReader<RenewalAnswer>('renewalAnswer', 'renewal answer'),
  },
  siteReport: {
    typ: 'site-report',
    reader: documentReader<SiteReport>('siteReport', 'site report'),
  },
  seatDonation: {
    typ: 'seat-donation',
    reader: documentReader<SeatDonation>('seatDonation', 'seat donation'),
  },
  donationReceipt: {
    typ: 'donation-receipt',
    reader: documentReader<DonationReceipt>('donationReceipt', 'donation receipt'),
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

export function signRenewalRequest(request: RenewalRequest, site: Signer): SignedEnvelope {
  return signDocument(SITE_DOCUMENTS.renewalRequest.typ, request, site);
}

export function signRenewalAnswer(answer: RenewalAnswer, vendor: Signer): SignedEnvelope {
  return signDocument(SITE_DOCUMENTS.renewalAnswer.typ, answer, vendor);
}

/** The vendor's answer to this site's renewal request: signed by the vendor, for this site and nonce. */
export function verifyRenewalAnswer(
  envelope: unknown,
  vendor: VendorKeys,
  asked: { readonly siteId: string; readonly serial: string; readonly nonce: string },
): Result<Verified<RenewalAnswer>> {
  const answer = vendorSigned(envelope, SITE_DOCUMENTS.renewalAnswer, vendor);
  if (!answer.ok) return answer;
  const { siteId, serial, nonce } = answer.value;
  if (siteId !== asked.siteId || serial !== asked.serial || nonce !== asked.nonce)
    return refuse('ANSWER_MISMATCH', 'The renewal answer is not the answer to this request.');
  return answer;
}

export function signSiteReport(report: SiteReport, site: Signer): SignedEnvelope {
  return signDocument(SITE_DOCUMENTS.siteReport.typ, report, site);
}

export function signSeatDonation(donation: SeatDonation, site: Signer): SignedEnvelope {
  return signDocument(SITE_DOCUMENTS.seatDonation.typ, donation, site);
}

/** A site server as the vendor registered it: its id and the public key it signs with. */
export interface RegisteredSiteKey {
  readonly siteId: string;
  readonly siteKey: string;
}

/**
 * A document a site server signed for the vendor (a renewal request, a report), verified with the
 * key the vendor registered for that site. A document naming another site than its signer is
 * refused, so one site cannot ask or report for another.
 */
function siteSigned<T extends { readonly siteId: string }>(
  envelope: unknown,
  kind: DocumentKind<T>,
  site: RegisteredSiteKey,
): Result<Verified<T>> {
  const key = publicKeyFromRaw('ed25519', site.siteKey);
  const kid = `site-${site.siteId}`;
  const opened = openDocument(envelope, kind, (named) => (named === kid ? key : undefined));
  if (!opened.ok)
    return opened.error.code === 'UNKNOWN_KEY_ID'
      ? refuse('SIGNATURE_INVALID', `The ${kind.typ} is not signed by the site server it names.`)
      : opened;
  if (opened.value.siteId !== site.siteId) return refuse('WRONG_SITE');
  return opened;
}

export function verifyRenewalRequest(
  envelope: unknown,
  site: RegisteredSiteKey,
): Result<Verified<RenewalRequest>> {
  return siteSigned(envelope, SITE_DOCUMENTS.renewalRequest, site);
}

export function verifySiteReport(envelope: unknown, site: RegisteredSiteKey): Result<Verified<SiteReport>> {
  return siteSigned(envelope, SITE_DOCUMENTS.siteReport, site);
}

/** The site id a site-signed document claims, read before its signature, to find the key to verify it with. */
export function claimedSiteId(envelope: SignedEnvelope): string | undefined {
  return envelope.kid.startsWith('site-sit_') ? envelope.kid.slice('site-'.length) : undefined;
}

/**
 * What a donor sends a neighbour: its donation, the vendor-signed license the seats come from,
 * and the vendor's certificate of the donor's key. The receiver needs nothing else to check it.
 */
export interface DonationBundle {
  readonly donation: SignedEnvelope;
  readonly license: SignedEnvelope;
  readonly certificate: SignedEnvelope;
}

/** A donation the receiver checked, with the terms it may lend seats under. */
export interface ReceivedDonation {
  readonly donation: Verified<SeatDonation>;
  readonly parent: Verified<SiteLicense>;
  readonly donor: Verified<SiteCertificate>;
  /** The parent's terms with the donated seats only: never more than the vendor signed for the donor. */
  readonly terms: Verified<SiteLicense>;
}

/** Seats of `share` that `whole` does not hold: empty when `share` fits within `whole`. */
export function seatsBeyond(
  share: Readonly<Record<string, Readonly<Record<string, number>>>>,
  whole: Readonly<Record<string, Readonly<Record<string, number>>>>,
): string[] {
  return Object.entries(share).flatMap(([item, seats]) =>
    Object.entries(seats)
      .filter(([seat, count]) => count > (whole[item]?.[seat] ?? 0))
      .map(([seat]) => `${item}/${seat}`),
  );
}

/**
 * Checks a donation a neighbour received: the vendor certified the donor, signed the parent
 * license for the donor, the donor's key signed the donation for this receiver, and the donated
 * seats fit within the parent's. Any edit of any of the three breaks a signature.
 */
export function verifyDonation(
  bundle: DonationBundle,
  vendor: VendorKeys,
  receiverSiteId: string,
): Result<ReceivedDonation> {
  const donor = verifySiteCertificate(bundle.certificate, vendor);
  if (!donor.ok) return donor;
  const parent = verifySiteLicense(bundle.license, vendor, donor.value);
  if (!parent.ok) return parent;
  const donorKey = publicKeyFromRaw('ed25519', donor.value.siteKey);
  const kid = siteKeyId(donor.value);
  const donation = openDocument(bundle.donation, SITE_DOCUMENTS.seatDonation, (named) =>
    named === kid ? donorKey : undefined,
  );
  if (!donation.ok)
    return donation.error.code === 'UNKNOWN_KEY_ID'
      ? refuse('SIGNATURE_INVALID', 'The donation is not signed by the site server the vendor certified.')
      : donation;
  if (donation.value.fromSiteId !== donor.value.siteId || donation.value.toSiteId !== receiverSiteId)
    return refuse('WRONG_SITE', 'This donation was made for another site server.');
  if (donation.value.serial !== parent.value.serial || donation.value.product !== parent.value.product)
    return refuse('SIGNATURE_INVALID', 'The donation does not name the license it came with.');
  const beyond = seatsBeyond(donation.value.items, parent.value.contents.items);
  if (beyond.length > 0) return refuse('DONATION_EXCEEDS_LICENSE', undefined, { seats: beyond });
  const terms = {
    siteId: receiverSiteId,
    serial: parent.value.serial,
    product: parent.value.product,
    sequence: parent.value.sequence,
    contents: { ...parent.value.contents, items: donation.value.items },
    issuedAt: donation.value.issuedAt,
  } as Verified<SiteLicense>;
  return ok({ donation: donation.value, parent: parent.value, donor: donor.value, terms });
}

export function signDonationReceipt(receipt: DonationReceipt, site: Signer): SignedEnvelope {
  return signDocument(SITE_DOCUMENTS.donationReceipt.typ, receipt, site);
}

/**
 * A child's receipt of one donation, as the donor checks it: the vendor certified the child, the
 * child's key signed the receipt, and it is the receipt of this donation from this donor.
 */
export function verifyDonationReceipt(
  receiptEnvelope: unknown,
  certificateEnvelope: unknown,
  vendor: VendorKeys,
  sent: { readonly donationId: string; readonly fromSiteId: string; readonly toSiteId: string },
): Result<Verified<DonationReceipt>> {
  const child = verifySiteCertificate(certificateEnvelope, vendor);
  if (!child.ok) return child;
  if (child.value.siteId !== sent.toSiteId)
    return refuse('WRONG_SITE', 'The donation was received by another site server than it was sent to.');
  const childKey = publicKeyFromRaw('ed25519', child.value.siteKey);
  const kid = siteKeyId(child.value);
  const receipt = openDocument(receiptEnvelope, SITE_DOCUMENTS.donationReceipt, (named) =>
    named === kid ? childKey : undefined,
  );
  if (!receipt.ok)
    return receipt.error.code === 'UNKNOWN_KEY_ID'
      ? refuse('SIGNATURE_INVALID', 'The receipt is not signed by the site server the vendor certified.')
      : receipt;
  const { donationId, fromSiteId, toSiteId } = receipt.value;
  if (donationId !== sent.donationId || fromSiteId !== sent.fromSiteId || toSiteId !== sent.toSiteId)
    return refuse('ANSWER_MISMATCH', 'The receipt is not the receipt of this donation.');
  return receipt;
}
