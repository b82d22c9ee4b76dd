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
