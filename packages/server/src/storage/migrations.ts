import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

/** Written with the schema builder only, so the same migrations run on SQLite and PostgreSQL. */
const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('products')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('policies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('check_interval_days', 'integer', (c) => c.notNull())
      .addColumn('evaluation_days', 'integer', (c) => c.notNull())
      .addColumn('max_transfers', 'integer')
      .addColumn('verification', 'text', (c) => c.notNull())
      .addColumn('duration_days', 'integer')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('licences')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('serial', 'text', (c) => c.notNull().unique())
      .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
      .addColumn('policy_id', 'text', (c) => c.notNull().references('policies.id'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('transfers_used', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('note', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('licences_policy').on('licences').column('policy_id').execute();
    // One computer per serial: the unique licence_id is what makes concurrent activations safe.
    await db.schema
      .createTable('bindings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('licence_id', 'text', (c) => c.notNull().unique().references('licences.id'))
      .addColumn('fingerprint_hash', 'text', (c) => c.notNull())
      .addColumn('container_key', 'text', (c) => c.notNull())
      .addColumn('container_box_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_checked_at', 'text')
      .addColumn('check_count', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('licence_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('licence_id', 'text', (c) => c.notNull().references('licences.id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('licence_events_licence')
      .on('licence_events')
      .columns(['licence_id', 'id'])
      .execute();
    await db.schema
      .createTable('used_nonces')
      .addColumn('nonce', 'text', (c) => c.primaryKey())
      .addColumn('licence_id', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('vendor_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('locked_seed', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/** Container contents: the vendor's record of every licence's contents, and every update to them. */
const contents: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('policies')
      .addColumn('items', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema
      .alterTable('policies')
      .addColumn('counters', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema
      .createTable('licence_contents')
      .addColumn('licence_id', 'text', (c) => c.primaryKey().references('licences.id'))
      .addColumn('sequence', 'integer', (c) => c.notNull())
      .addColumn('contents', 'text', (c) => c.notNull())
      .addColumn('contents_hash', 'text', (c) => c.notNull())
      .addColumn('initial_hash', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // One update per step of a licence: two vendors issuing at once cannot both succeed.
    await db.schema
      .createTable('licence_updates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('licence_id', 'text', (c) => c.notNull().references('licences.id'))
      .addColumn('from_sequence', 'integer', (c) => c.notNull())
      .addColumn('to_sequence', 'integer', (c) => c.notNull())
      .addColumn('operations', 'text', (c) => c.notNull())
      .addColumn('result_hash', 'text', (c) => c.notNull())
      .addColumn('package_file', 'text', (c) => c.notNull())
      .addColumn('transport', 'text', (c) => c.notNull())
      .addColumn('order_ref', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('licence_updates_step', ['licence_id', 'to_sequence'])
      .execute();
  },
};

/** The durable job runner's queue, and webhooks: endpoints and every delivery with its attempts. */
const jobs: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('run_at', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('locked_by', 'text')
      .addColumn('locked_until', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('done_at', 'text')
      .execute();
    await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'run_at']).execute();
    await db.schema
      .createTable('webhook_endpoints')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('events', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id'))
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .execute();
    // One-time tasks of the first start (vendor keys, the first admin token): several processes
    // starting at once race to insert the claim, and only the winner does the task.
    await db.schema
      .createTable('server_claims')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('claimed_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_endpoint')
      .on('webhook_deliveries')
      .columns(['endpoint_id', 'id'])
      .execute();
  },
};

/** The spelling on the wire and in public names is `license`; the tables follow it. */
const licenseSpelling: Migration = {
  async up(db: Kysely<unknown>) {
    for (const [from, to] of [
      ['licences', 'licenses'],
      ['licence_events', 'license_events'],
      ['licence_contents', 'license_contents'],
      ['licence_updates', 'license_updates'],
    ] as const) {
      await db.schema.alterTable(from).renameTo(to).execute();
    }
    for (const table of [
      'bindings',
      'license_events',
      'used_nonces',
      'license_contents',
      'license_updates',
    ]) {
      await db.schema.alterTable(table).renameColumn('licence_id', 'license_id').execute();
    }
  },
};

/**
 * Terms the customer cannot rewrite: a policy's grace period, the counter consumption reported by
 * containers, and the bindings their containers released (a retried deactivation gets the same
 * receipt).
 */
const trustedTerms: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('policies')
      .addColumn('grace_days', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('licenses')
      .addColumn('counters_consumed', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema
      .createTable('released_bindings')
      .addColumn('binding_id', 'text', (c) => c.primaryKey())
      .addColumn('license_id', 'text', (c) => c.notNull().references('licenses.id'))
      .addColumn('container_key', 'text', (c) => c.notNull())
      .addColumn('transfers_used', 'integer', (c) => c.notNull())
      .addColumn('released_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/** The support desk: transfers the vendor grants a license above its policy's limit. */
const extraTransfers: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('licenses')
      .addColumn('extra_transfers', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};

/** Fingerprints matched part by part: each binding keeps the hash of every part. */
const fingerprintParts: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('bindings')
      .addColumn('fingerprint_parts', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
  },
};

/**
 * The e-mail outbox: a mail is a row written in the transaction of the change that causes it, and
 * sent by jobs. `claimed_by` and `claimed_until` are the claim of the one process sending it now;
 * `next_attempt_at` is when a mail the server could not take is tried again.
 */
const mailOutbox: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('mail_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('attachments', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('claimed_by', 'text')
      .addColumn('claimed_until', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text')
      .execute();
  },
};

/**
 * Dealers and their upgrade orders. 0008 is the mail outbox's. An order is processed once: its
 * state moves only by conditional updates, and a confirmation login opens one order.
 */
const dealersOrders: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('dealers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('login', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('orders')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('dealer_id', 'text', (c) => c.notNull().references('dealers.id'))
      .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
      .addColumn('license_id', 'text', (c) => c.references('licenses.id'))
      .addColumn('items', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('authorization_hash', 'text')
      .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('authorized_at', 'text')
      .addColumn('expires_at', 'text')
      .addColumn('closed_at', 'text')
      // Set just before its update's row is written, in the same transaction (the order is
      // claimed first, so racing submissions queue on it): it cannot reference that row.
      .addColumn('update_id', 'text')
      .addColumn('confirmation_login', 'text', (c) => c.unique())
      .addColumn('confirmation_hash', 'text')
      .execute();
    await db.schema.createIndex('orders_dealer').on('orders').columns(['dealer_id', 'id']).execute();
    await db.schema.createIndex('orders_due').on('orders').columns(['state', 'expires_at']).execute();
  },
};

/**
 * Portal sign-ins, in the database so that every server process knows them; and the e-mails each
 * order has had, so that each goes out once however often the step that sends it runs.
 */
const portal: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('order_notices')
      .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('order_notices_pk', ['order_id', 'kind'])
      .execute();
    // The From -> To lines an order was processed with, for the e-mail that carries its upgrade file.
    await db.schema.alterTable('orders').addColumn('upgrade_lines', 'text').execute();
    await db.schema
      .createTable('portal_sessions')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('subject_kind', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('subject_name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('portal_sessions_expiry')
      .on('portal_sessions')
      .column('expires_at')
      .execute();
  },
};

/**
 * Site servers the vendor certified, and the site licenses issued to each: the start of the
 * fleet view (which site holds which serial).
 */
const sites: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sites')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      // One site per key: a certificate names exactly one server.
      .addColumn('site_key', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('site_licenses')
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
      .addColumn('license_id', 'text', (c) => c.notNull().references('licenses.id'))
      .addColumn('sequence', 'integer', (c) => c.notNull())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('site_licenses_pk', ['site_id', 'license_id'])
      .execute();
  },
};

/**
 * Renewals bought in advance, each tied to the license it renews, and the latest report of each
 * site server: the vendor's side of automatic renewal and its fleet view.
 */
const renewals: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('renewals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      // One renewal waits per license; and a license renews at most one other.
      .addColumn('license_id', 'text', (c) => c.notNull().unique().references('licenses.id'))
      .addColumn('renewal_license_id', 'text', (c) => c.notNull().unique().references('licenses.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('fetched_at', 'text')
      .addColumn('fetched_by_site_id', 'text', (c) => c.references('sites.id'))
      .execute();
    await db.schema
      .createTable('site_reports')
      .addColumn('site_id', 'text', (c) => c.primaryKey().references('sites.id'))
      .addColumn('report', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/**
 * A serial is held by one site server: the unique license_id decides when two issues race. Before
 * it, a serial could be issued to several sites, each lending its full seats. This is a dev-stage
 * project, so such duplicates are resolved here rather than refused: the site with the earliest
 * recorded issue keeps the serial, the others' records go (their key files stay valid until they
 * expire, but they can no longer fetch its renewal). The count dropped is reported as a process
 * warning so that it is not silent.
 */
const siteSerials: Migration = {
  async up(db: Kysely<unknown>) {
    const dropped = await sql`
      DELETE FROM site_licenses
      WHERE EXISTS (
        SELECT 1 FROM site_licenses AS earlier
        WHERE earlier.license_id = site_licenses.license_id
          AND (earlier.issued_at < site_licenses.issued_at
            OR (earlier.issued_at = site_licenses.issued_at AND earlier.site_id < site_licenses.site_id))
      )`.execute(db);
    const count = Number(dropped.numAffectedRows ?? 0n);
    if (count > 0)
      process.emitWarning(
        `Migration 0013_site_serials dropped ${count} later issue(s) of serials issued to several site servers`,
      );
    await db.schema
      .createIndex('site_licenses_license')
      .on('site_licenses')
      .column('license_id')
      .unique()
      .execute();
  },
};

/**
 * Scoped, expiring, revocable API tokens. Tokens made before carry the admin scope they had. A
 * dealer token speaks for one dealer.
 */
const tokenScopes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('api_tokens')
      .addColumn('scope', 'text', (c) => c.notNull().defaultTo('admin'))
      .execute();
    await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
    await db.schema.alterTable('api_tokens').addColumn('revoked_at', 'text').execute();
    await db.schema
      .alterTable('api_tokens')
      .addColumn('dealer_id', 'text', (c) => c.references('dealers.id'))
      .execute();
  },
};

/**
 * The audit log: append-only, each entry holding the hash of the one before, so that an edited or
 * removed entry breaks the chain. `seq` is the order; its uniqueness decides between two appends.
 */
const auditLog: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('audit_log')
      .addColumn('seq', 'integer', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_log_target').on('audit_log').columns(['target', 'seq']).execute();
  },
};

/**
 * One expiry notice per license and expiry date, by a unique key. Notices given before are
 * carried over from the license history, so that none is given twice.
 */
const expiryNotices: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('expiry_notices')
      .addColumn('license_id', 'text', (c) => c.notNull().references('licenses.id'))
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('announced_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('expiry_notices_pk', ['license_id', 'expires_at'])
      .execute();
    const given = await sql<{ license_id: string; detail: string; created_at: string }>`
      SELECT license_id, detail, created_at FROM license_events WHERE type = 'expiring'`.execute(db);
    for (const event of given.rows) {
      const { expiresAt } = JSON.parse(event.detail) as { expiresAt?: unknown };
      if (typeof expiresAt !== 'string') continue;
      await sql`
        INSERT INTO expiry_notices (license_id, expires_at, announced_at)
        VALUES (${event.license_id}, ${expiresAt}, ${event.created_at})
        ON CONFLICT DO NOTHING`.execute(db);
    }
  },
};

/**
 * Each webhook endpoint signs with its own Standard Webhooks secret, kept locked under the master
 * key. The migration cannot reach the master key, so endpoints from before it get their secret at
 * their first delivery (see WebhookStore), and the vendor rotates it to learn it.
 */
const webhookSecrets: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('webhook_endpoints').addColumn('locked_secret', 'text').execute();
  },
};

/**
 * A policy is named by its name within its product (a person types it in `--policy`), so names are
 * unique per product. Before it, a product could have two policies of one name. This is a
 * dev-stage project, so such duplicates are renamed here rather than refused: the earliest
 * policy of a name keeps it, each later one gets its id appended ("Standard (pol_...)"), which
 * is unique. The count renamed is reported as a process warning so that it is not silent.
 */
const policyNames: Migration = {
  async up(db: Kysely<unknown>) {
    const renamed = await sql`
      UPDATE policies SET name = name || ' (' || id || ')'
      WHERE EXISTS (
        SELECT 1 FROM policies AS earlier
        WHERE earlier.product_id = policies.product_id AND earlier.name = policies.name
          AND (earlier.created_at < policies.created_at
            OR (earlier.created_at = policies.created_at AND earlier.id < policies.id))
      )`.execute(db);
    const count = Number(renamed.numAffectedRows ?? 0n);
    if (count > 0)
      process.emitWarning(
        `Migration 0018_policy_names renamed ${count} policy(ies) whose name another policy of their product had first`,
      );
    await db.schema
      .createIndex('policies_product_name')
      .on('policies')
      .columns(['product_id', 'name'])
      .unique()
      .execute();
  },
};

/** Archived products, policies and licenses: kept (licenses refer to them), but closed to new use. */
const catalogueArchive: Migration = {
  async up(db: Kysely<unknown>) {
    for (const table of ['products', 'policies', 'licenses'])
      await db.schema.alterTable(table).addColumn('archived_at', 'text').execute();
  },
};

/**
 * The highest update step a container of the license reported (the update protocol's receipt):
 * an update is applied once a container reports its to-step.
 */
const reportedSteps: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('license_contents')
      .addColumn('reported_sequence', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return {
      '0001_initial': initial,
      '0002_contents': contents,
      '0003_jobs': jobs,
      '0004_license_spelling': licenseSpelling,
      '0005_trusted_terms': trustedTerms,
      '0006_extra_transfers': extraTransfers,
      '0007_fingerprint_parts': fingerprintParts,
      '0008_mail_outbox': mailOutbox,
      '0009_dealers_orders': dealersOrders,
      '0010_portal': portal,
      '0011_sites': sites,
      '0012_renewals': renewals,
      '0013_site_serials': siteSerials,
      '0014_token_scopes': tokenScopes,
      '0015_audit_log': auditLog,
      '0016_expiry_notices': expiryNotices,
      '0017_webhook_secrets': webhookSecrets,
      '0018_policy_names': policyNames,
      '0019_catalogue_archive': catalogueArchive,
      '0020_reported_steps': reportedSteps,
    };
  },
};
