import { Type } from 'typebox';
import { ContentsSchema } from './contents.js';
import { Count, Instant, Name, Nonce, PublicKey32 } from './primitives.js';

const SiteId = Type.String({ pattern: '^sit_[a-z0-9]{26}$' });
const LeaseId = Type.String({ pattern: '^lea_[a-z0-9]{26}$' });
const Serial = Type.String({ minLength: 1, maxLength: 64 });
const Product = Type.String({ minLength: 1, maxLength: 64 });
/** Who a station says it is: a name the site administrator recognises (host name, fingerprint hash). */
export const StationId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' });

/** The vendor vouches for a site server's signing key: stations trust its leases through this. */
export const SiteCertificateSchema = Type.Object(
  {
    siteId: SiteId,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    siteKey: PublicKey32,
    issuedAt: Instant,
  },
  { additionalProperties: false },
);

/**
 * A license the vendor issued to one site server to hand out as seats: the serial's terms as
 * the vendor records them. The site never widens them: it can only sign leases within them.
 */
export const SiteLicenseSchema = Type.Object(
  {
    siteId: SiteId,
    serial: Serial,
    product: Product,
    /** The update step of `contents` on the vendor, so a later issue is recognisably newer. */
    sequence: Count(2 ** 31 - 1),
    contents: ContentsSchema,
    issuedAt: Instant,
  },
  { additionalProperties: false },
);

/** A seat of one item of a site license, lent to one station until `expiresAt`; signed by the site key. */
export const SeatLeaseSchema = Type.Object(
  {
    leaseId: LeaseId,
    siteId: SiteId,
    serial: Serial,
    product: Product,
    item: Name,
    seat: Name,
    stationId: StationId,
    /** Set when the station took the seat offline: no heartbeats are due until `expiresAt`. */
    borrowed: Type.Boolean(),
    expiresAt: Instant,
    issuedAt: Instant,
    nonce: Nonce,
  },
  { additionalProperties: false },
);

/**
 * The site-to-site protocol a site server speaks. Version 2 added automatic update: a donation
 * may replace an older key's donation, and the receiver moves its seats to the new key.
 */
export const SITE_PROTOCOL_VERSION = 2;
export const SiteProtocol = Type.Integer({ minimum: 1, maximum: 1000 });

/** A site server asks the vendor for the renewal bought in advance for one of its licenses. */
export const RenewalRequestSchema = Type.Object(
  {
    siteId: SiteId,
    serial: Serial,
    issuedAt: Instant,
    nonce: Nonce,
  },
  { additionalProperties: false },
);

/**
 * The vendor's signed answer to a renewal request: over the site's nonce, so a renewal cannot be
 * hidden on the way (an answer of "none" is the vendor's) nor an old answer replayed.
 */
export const RenewalAnswerSchema = Type.Object(
  {
    siteId: SiteId,
    serial: Serial,
    nonce: Nonce,
    /** The serial of the renewal whose key file comes with the answer; null when none waits. */
    renewal: Type.Union([Serial, Type.Null()]),
    issuedAt: Instant,
  },
  { additionalProperties: false },
);

const LicenseOrigin = Type.Union([
  Type.Literal('manual'),
  Type.Literal('renewal'),
  Type.Literal('neighbour'),
]);
const DonationState = Type.Union([
  Type.Literal('waiting'),
  Type.Literal('pending'),
  Type.Literal('delivered'),
]);

/**
 * What a site server tells the vendor it holds, and where each key is propagated: the vendor's
 * fleet view. Signed by the site key, so one site cannot report for another.
 */
export const SiteReportSchema = Type.Object(
  {
    siteId: SiteId,
    protocol: SiteProtocol,
    issuedAt: Instant,
    licenses: Type.Array(
      Type.Object(
        {
          serial: Serial,
          product: Product,
          origin: LicenseOrigin,
          expiresAt: Type.Union([Instant, Type.Null()]),
          /** The site that donated a neighbour's key. */
          fromSiteId: Type.Union([SiteId, Type.Null()]),
          /** Set when a renewal replaced this key and it waits for its last child to move. */
          replacedBy: Type.Union([Serial, Type.Null()]),
          stations: Count(1_000_000),
          neighbours: Type.Array(
            Type.Object(
              { siteId: SiteId, seats: Count(1_000_000), state: DonationState },
              { additionalProperties: false },
            ),
            { maxItems: 1000 },
          ),
        },
        { additionalProperties: false },
      ),
      { maxItems: 10_000 },
    ),
  },
  { additionalProperties: false },
);

/**
 * A share of a site license's seats that one site server donates to a neighbour, signed by the
 * donor's site key. `items` never exceeds what the vendor signed for the donor; `replaces` names
 * the donor's older key whose seats this donation takes over (protocol 2).
 */
export const SeatDonationSchema = Type.Object(
  {
    donationId: Type.String({ pattern: '^don_[a-z0-9]{26}$' }),
    fromSiteId: SiteId,
    toSiteId: SiteId,
    serial: Serial,
    product: Product,
    items: Type.Record(Name, Type.Record(Name, Count(1_000_000)), { maxProperties: 64 }),
    replaces: Type.Union([Serial, Type.Null()]),
    issuedAt: Instant,
  },
  { additionalProperties: false },
);

/**
 * A child's receipt of a donation, signed by the child's site key: the donor records the
 * donation delivered, and drops the replaced key's donation, only on the child's own word.
 */
export const DonationReceiptSchema = Type.Object(
  {
    donationId: Type.String({ pattern: '^don_[a-z0-9]{26}$' }),
    fromSiteId: SiteId,
    toSiteId: SiteId,
    serial: Serial,
    /** The donor's older key this donation replaced on the child; null when it did not (protocol 1). */
    replaced: Type.Union([Serial, Type.Null()]),
    protocol: SiteProtocol,
    issuedAt: Instant,
  },
  { additionalProperties: false },
);
