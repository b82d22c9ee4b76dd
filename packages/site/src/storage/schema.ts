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
  /** `manual` (added from a key file), `renewal` (fetched by the expiration task), `neighbour` (donated by a parent site server). */
  origin: string;
  added_at: string;
  /** The donor of a `neighbour` license. */
  from_site_id: string | null;
  /** A `neighbour` license's donation and donor certificate (JSON): `envelope` is the donor's license. */
  donation: string | null;
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

/** A site server this one donates seats to (`child`, reached at `url`) or takes donations from (`parent`). */
export interface NeighboursTable {
  site_id: string;
  name: string;
  url: string | null;
  role: string;
  /** The site protocol the neighbour last said it speaks; null until first contact. */
  protocol: number | null;
  added_at: string;
  last_contact_at: string | null;
  last_error: string | null;
}

/**
 * Seats of one license donated to one child. `pending` and `delivered` rows hold their seats
 * away from this site's stations; a `waiting` one wants seats that are not free yet.
 */
/** The latest donation a child took from a donor for a key (or the withdrawal or replacement that ended it). */
export interface DonationMarksTable {
  donor_site_id: string;
  serial: string;
  issued_at: string;
  donation_id: string;
}

export interface DonationsTable {
  id: string;
  serial: string;
  neighbour_site_id: string;
  /** `{item: {seat: count}}` as JSON. */
  items: string;
  /** The older key whose donation this one takes over, when the child speaks protocol 2. */
  replaces: string | null;
  state: string;
  created_at: string;
  delivered_at: string | null;
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

/** One named setting, as JSON: `expiration_task`, `notifications`. */
export interface SiteSettingsTable {
  name: string;
  value: string;
  updated_at: string;
}

/** A notification of the outbox: the event as sent, and what the user hook did after it was sent. */
export interface SiteNotificationsTable {
  id: string;
  kind: string;
  event: string;
  created_at: string;
  /** `pending` until its channels were tried once, then `succeeded`, `failed`, `timed_out` or `skipped` (no hook). */
  hook_state: string;
  hook_exit_code: number | null;
  hook_signal: string | null;
  hook_stderr: string | null;
  hook_error: string | null;
  hook_ran_at: string | null;
}

/** One channel (`mail`, `webhook`) of a notification, addressed when it was recorded. */
export interface NotificationDeliveriesTable {
  notification_id: string;
  channel: string;
  /** The recipients (comma-separated) or the webhook URL. */
  target: string;
  /** `pending`, `sent`, or `failed` after the last try. */
  state: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  last_error: string | null;
  sent_at: string | null;
}

export interface SiteDatabase {
  site_identity: SiteIdentityTable;
  site_licenses: SiteLicensesTable;
  seat_leases: SeatLeasesTable;
  expiration_checks: ExpirationChecksTable;
  admin_tokens: AdminTokensTable;
  neighbours: NeighboursTable;
  donations: DonationsTable;
  donation_marks: DonationMarksTable;
  site_settings: SiteSettingsTable;
  site_notifications: SiteNotificationsTable;
  notification_deliveries: NotificationDeliveriesTable;
}
