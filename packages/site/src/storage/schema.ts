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
  /** `manual` (added from a key file); later `renewal` and `neighbour`. */
  origin: string;
  added_at: string;
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
  admin_tokens: AdminTokensTable;
  site_settings: SiteSettingsTable;
  site_notifications: SiteNotificationsTable;
  notification_deliveries: NotificationDeliveriesTable;
}
