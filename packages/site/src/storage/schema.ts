import type { Generated } from 'kysely';

/** Table types of the site database. Times are ISO-8601 UTC text, sortable as text. */

/** The vendor's certificate of this site's key, with the vendor keys that verify key files (one row). */
export interface SiteIdentityTable {
  id: Generated<number>;
  site_id: string;
  certificate: string;
  vendor_keys: string;
  installed_at: string;
}

/**
 * A license the site holds: the vendor-signed document as received. Its terms are read from the
 * document, verified, whenever they are used; the other columns only find it.
 */
export interface SiteLicensesTable {
  serial: string;
  product: string;
  envelope: string;
  expires_at: string | null;
  /** `manual` (added from a key file), `renewal` (fetched by the expiration task); later `neighbour`. */
  origin: string;
  added_at: string;
  /** The renewal that took this key's place; the key stays until no child uses it. */
  replaced_by: string | null;
  /** Where this key's file is in the data directory; an automatically renewed key has none until exported. */
  key_file: string | null;
}

/** What the license expiration task last found for a key, so each outcome is notified once. */
export interface ExpirationChecksTable {
  serial: string;
  outcome: string;
  renewal_serial: string | null;
  checked_at: string;
}

/**
 * A seat lent to a station. A seat is a slot number below the license's count for its item: the
 * unique (serial, item, seat, slot) is what keeps concurrent leases within the count.
 */
export interface SeatLeasesTable {
  id: string;
  serial: string;
  item: string;
  seat: string;
  slot: number;
  station_id: string;
  borrowed: number;
  leased_at: string;
  expires_at: string;
}

export interface AdminTokensTable {
  token_hash: string;
  name: string;
  created_at: string;
}

export interface SiteDatabase {
  site_identity: SiteIdentityTable;
  site_licenses: SiteLicensesTable;
  seat_leases: SeatLeasesTable;
  expiration_checks: ExpirationChecksTable;
  admin_tokens: AdminTokensTable;
}
