import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import { notificationsMigration } from './notifications-migration.js';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('site_identity')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('certificate', 'text', (c) => c.notNull())
      .addColumn('vendor_keys', 'text', (c) => c.notNull())
      .addColumn('installed_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('site_licenses')
      .addColumn('serial', 'text', (c) => c.primaryKey())
      .addColumn('product', 'text', (c) => c.notNull())
      .addColumn('envelope', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('added_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('seat_leases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('serial', 'text', (c) => c.notNull().references('site_licenses.serial').onDelete('cascade'))
      .addColumn('item', 'text', (c) => c.notNull())
      .addColumn('seat', 'text', (c) => c.notNull())
      .addColumn('slot', 'integer', (c) => c.notNull())
      .addColumn('station_id', 'text', (c) => c.notNull())
      .addColumn('borrowed', 'integer', (c) => c.notNull())
      .addColumn('leased_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('seat_leases_slot', ['serial', 'item', 'seat', 'slot'])
      .execute();
    // Lapsed leases of a pool are found by their end, without reading the pool's live ones.
    await db.schema
      .createIndex('seat_leases_expiry')
      .on('seat_leases')
      .columns(['serial', 'item', 'seat', 'expires_at'])
      .execute();
    await db.schema
      .createIndex('seat_leases_station')
      .on('seat_leases')
      .columns(['station_id', 'item'])
      .execute();
    await db.schema
      .createTable('admin_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/**
 * Neighbour site servers and the seats donated to them. A license received from a neighbour keeps
 * the donor's signed donation beside the vendor-signed license it came with.
 */
const neighbours: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('neighbours')
      .addColumn('site_id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('url', 'text')
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('protocol', 'integer')
      .addColumn('added_at', 'text', (c) => c.notNull())
      .addColumn('last_contact_at', 'text')
      .addColumn('last_error', 'text')
      .execute();
    await db.schema
      .createTable('donations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('serial', 'text', (c) => c.notNull().references('site_licenses.serial').onDelete('cascade'))
      .addColumn('neighbour_site_id', 'text', (c) =>
        c.notNull().references('neighbours.site_id').onDelete('cascade'),
      )
      .addColumn('items', 'text', (c) => c.notNull())
      .addColumn('replaces', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .addUniqueConstraint('donations_serial_neighbour', ['serial', 'neighbour_site_id'])
      .execute();
    await db.schema.alterTable('site_licenses').addColumn('from_site_id', 'text').execute();
    await db.schema.alterTable('site_licenses').addColumn('donation', 'text').execute();
  },
};

/** Automatic renewal: which key replaced which, key files, and what the expiration task found. */
const renewals: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('site_licenses').addColumn('replaced_by', 'text').execute();
    await db.schema.alterTable('site_licenses').addColumn('key_file', 'text').execute();
    await db.schema
      .createTable('expiration_checks')
      .addColumn('serial', 'text', (c) =>
        c.primaryKey().references('site_licenses.serial').onDelete('cascade'),
      )
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('renewal_serial', 'text')
      .addColumn('checked_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/**
 * Donations outlive the key they came from: seats a child holds stay counted here until the child
 * gives them back, even if the key is removed and added again. And a child remembers the latest
 * donation it took from each donor of each key, so an older one sent again is a replay.
 */
const donationsKept: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('donations_kept')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('serial', 'text', (c) => c.notNull())
      .addColumn('neighbour_site_id', 'text', (c) =>
        c.notNull().references('neighbours.site_id').onDelete('cascade'),
      )
      .addColumn('items', 'text', (c) => c.notNull())
      .addColumn('replaces', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .addUniqueConstraint('donations_kept_serial_neighbour', ['serial', 'neighbour_site_id'])
      .execute();
    await sql`insert into donations_kept select id, serial, neighbour_site_id, items, replaces, state, created_at, delivered_at from donations`.execute(
      db,
    );
    await db.schema.dropTable('donations').execute();
    await db.schema.alterTable('donations_kept').renameTo('donations').execute();
    await db.schema
      .createTable('donation_marks')
      .addColumn('donor_site_id', 'text', (c) => c.notNull())
      .addColumn('serial', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .addColumn('donation_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('donation_marks_key', ['donor_site_id', 'serial'])
      .execute();
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return {
      '0001_initial': initial,
      '0002_notifications': notificationsMigration,
      '0003_neighbours': neighbours,
      '0004_renewals': renewals,
      '0005_donations_kept': donationsKept,
    };
  },
};
