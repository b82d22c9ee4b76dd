import type { Kysely, Migration, MigrationProvider } from 'kysely';
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

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return {
      '0001_initial': initial,
      '0002_notifications': notificationsMigration,
    };
  },
};
