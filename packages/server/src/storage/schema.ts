import type { Generated } from 'kysely';

/** Table types of the vendor database. Times are ISO-8601 UTC text, portable across engines and sortable. */
export interface ProductsTable {
  id: string;
  code: string;
  name: string;
  created_at: string;
  archived_at: string | null;
}

export interface PoliciesTable {
  id: string;
  product_id: string;
  name: string;
  check_interval_days: number;
  evaluation_days: number;
  max_transfers: number | null;
  verification: string;
  duration_days: number | null;
  created_at: string;
  items: Generated<string>;
  counters: Generated<string>;
  grace_days: Generated<number>;
  archived_at: string | null;
}

export interface LicensesTable {
  id: string;
  serial: string;
  product_id: string;
  policy_id: string;
  status: string;
  expires_at: string | null;
  transfers_used: Generated<number>;
  extra_transfers: Generated<number>;
  note: string | null;
  created_at: string;
  /** Counter consumption the license's containers reported, the largest seen of each. */
  counters_consumed: Generated<string>;
  archived_at: string | null;
}

/** Bindings released by their container, so a retried deactivation gets the same receipt. */
export interface ReleasedBindingsTable {
  binding_id: string;
  license_id: string;
  container_key: string;
  transfers_used: number;
  released_at: string;
}

/** An e-mail an order has had (`authorized`, `one-week`, `one-day`, `expired`, `upgrade-file`). */
export interface OrderNoticesTable {
  order_id: string;
  kind: string;
  sent_at: string;
}

/** A portal sign-in: the hash of its cookie's token, never the token. */
export interface PortalSessionsTable {
  id_hash: string;
  subject_kind: string;
  subject_id: string;
  subject_name: string;
  created_at: string;
  expires_at: string;
}

export interface BindingsTable {
  id: string;
  license_id: string;
  fingerprint_hash: string;
  fingerprint_parts: Generated<string>;
  container_key: string;
  container_box_key: string;
  created_at: string;
  last_checked_at: string | null;
  check_count: Generated<number>;
}

export interface LicenseEventsTable {
  id: string;
  license_id: string;
  type: string;
  detail: string;
  created_at: string;
}

export interface UsedNoncesTable {
  nonce: string;
  license_id: string;
  used_at: string;
}

export interface VendorKeysTable {
  kid: string;
  kind: string;
  public_key: string;
  locked_seed: string;
  active: number;
  created_at: string;
}

export interface ApiTokensTable {
  id: string;
  token_hash: string;
  name: string;
  created_at: string;
  scope: Generated<string>;
  expires_at: string | null;
  revoked_at: string | null;
  dealer_id: string | null;
}

export interface ExpiryNoticesTable {
  license_id: string;
  expires_at: string;
  announced_at: string;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

export interface LicenseContentsTable {
  license_id: string;
  sequence: number;
  contents: string;
  contents_hash: string;
  initial_hash: string;
  updated_at: string;
  /** The highest update step a container of the license reported in a request it signed. */
  reported_sequence: Generated<number>;
}

export interface LicenseUpdatesTable {
  id: string;
  license_id: string;
  from_sequence: number;
  to_sequence: number;
  operations: string;
  result_hash: string;
  package_file: string;
  transport: string;
  order_ref: string | null;
  created_at: string;
}

export interface JobsTable {
  id: string;
  kind: string;
  payload: string;
  state: string;
  run_at: string;
  attempts: Generated<number>;
  max_attempts: number;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  done_at: string | null;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  events: string;
  enabled: number;
  created_at: string;
  /** The endpoint's signing secret, locked under the master key; null only before its first delivery after the upgrade that added it. */
  locked_secret: string | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  body: string;
  state: string;
  attempts: Generated<number>;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface MailOutboxTable {
  id: string;
  recipient: string;
  subject: string;
  text: string;
  /** The mail's attachments as JSON: `MailAttachment[]`, contents in base64. */
  attachments: string;
  /** `pending` (waiting for its next attempt), `sending` (claimed by a process), `sent`. */
  state: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  claimed_by: string | null;
  claimed_until: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface ServerClaimsTable {
  name: string;
  claimed_at: string;
}

export interface DealersTable {
  id: string;
  login: string;
  name: string;
  email: string;
  /** argon2id, never the password. */
  password_hash: string;
  created_at: string;
}

export interface OrdersTable {
  id: string;
  dealer_id: string;
  product_id: string;
  license_id: string | null;
  /** JSON: the order's items, `[{ item, kind, count }]`. */
  items: string;
  state: string;
  /** Set when authorized: the hash of the authorization number, which is shown once. */
  authorization_hash: string | null;
  failed_attempts: Generated<number>;
  created_at: string;
  authorized_at: string | null;
  expires_at: string | null;
  closed_at: string | null;
  update_id: string | null;
  confirmation_login: string | null;
  confirmation_hash: string | null;
  /** JSON: the From -> To lines the order was processed with, `[{ item, kind, from, to }]`. */
  upgrade_lines: string | null;
}

/** A site server the vendor certified: its Ed25519 key signs the seat leases of its stations. */
export interface SitesTable {
  id: string;
  name: string;
  site_key: string;
  created_at: string;
}

/** A license issued to a site server, at the update step it was issued from. */
export interface SiteLicensesTable {
  site_id: string;
  license_id: string;
  sequence: number;
  issued_at: string;
}

/** A renewal bought in advance: another license, waiting on the vendor for the one it renews. */
export interface RenewalsTable {
  id: string;
  license_id: string;
  renewal_license_id: string;
  created_at: string;
  /** When a site server first fetched it, and which one. */
  fetched_at: string | null;
  fetched_by_site_id: string | null;
}

/** The latest report of a site server: what it holds and where each key is propagated. */
export interface SiteReportsTable {
  site_id: string;
  /** JSON: the verified report document. */
  report: string;
  issued_at: string;
  received_at: string;
}

export interface VendorDatabase {
  sites: SitesTable;
  site_licenses: SiteLicensesTable;
  renewals: RenewalsTable;
  site_reports: SiteReportsTable;
  dealers: DealersTable;
  orders: OrdersTable;
  server_claims: ServerClaimsTable;
  mail_outbox: MailOutboxTable;
  jobs: JobsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  license_contents: LicenseContentsTable;
  license_updates: LicenseUpdatesTable;
  products: ProductsTable;
  policies: PoliciesTable;
  licenses: LicensesTable;
  released_bindings: ReleasedBindingsTable;
  bindings: BindingsTable;
  license_events: LicenseEventsTable;
  used_nonces: UsedNoncesTable;
  vendor_keys: VendorKeysTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  expiry_notices: ExpiryNoticesTable;
  portal_sessions: PortalSessionsTable;
  order_notices: OrderNoticesTable;
}
