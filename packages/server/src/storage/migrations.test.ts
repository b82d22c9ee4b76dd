import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { migrationProvider } from './migrations.js';

describe('migration 0013_site_serials', () => {
  it('keeps the earliest issue of a serial issued to several sites, then refuses a second site', async () => {
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
    const migrator = new Migrator({ db, provider: migrationProvider });
    assert.equal((await migrator.migrateTo('0012_renewals')).error, undefined);
    // The issues alone, without their sites and licenses: only the rows of site_licenses matter here.
    await sql`PRAGMA foreign_keys = OFF`.execute(db);
    const issue = (site: string, license: string, at: string) =>
      sql`INSERT INTO site_licenses (site_id, license_id, sequence, issued_at)
          VALUES (${site}, ${license}, 0, ${at})`.execute(db);
    await issue('sit_b', 'lic_1', '2026-01-02T00:00:00.000Z');
    await issue('sit_a', 'lic_1', '2026-01-03T00:00:00.000Z');
    await issue('sit_c', 'lic_1', '2026-01-02T00:00:00.000Z');
    await issue('sit_a', 'lic_2', '2026-01-05T00:00:00.000Z');

    assert.equal((await migrator.migrateToLatest()).error, undefined);
    const { rows } = await sql<{ site_id: string; license_id: string }>`
      SELECT site_id, license_id FROM site_licenses ORDER BY license_id`.execute(db);
    assert.deepEqual(
      rows.map((row) => [row.license_id, row.site_id]),
      [
        ['lic_1', 'sit_b'],
        ['lic_2', 'sit_a'],
      ],
    );
    await assert.rejects(issue('sit_c', 'lic_2', '2026-01-06T00:00:00.000Z'), /UNIQUE/);
    await db.destroy();
  });
});

describe('migration 0017_webhook_secrets', () => {
  it('keeps the endpoints registered before it, without a secret until their first delivery', async () => {
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
    const migrator = new Migrator({ db, provider: migrationProvider });
    assert.equal((await migrator.migrateTo('0016_expiry_notices')).error, undefined);
    await sql`INSERT INTO webhook_endpoints (id, url, events, enabled, created_at)
              VALUES ('whk_old', 'https://hooks.example/', '["license.activated"]', 1, '2026-01-01T00:00:00.000Z')`.execute(
      db,
    );
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    const { rows } = await sql<{ id: string; locked_secret: string | null }>`
      SELECT id, locked_secret FROM webhook_endpoints`.execute(db);
    assert.deepEqual(rows, [{ id: 'whk_old', locked_secret: null }]);
    await db.destroy();
  });
});

describe('migration 0018_policy_names', () => {
  it('renames the later policies of a name within a product, then refuses a duplicate', async () => {
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
    const migrator = new Migrator({ db, provider: migrationProvider });
    assert.equal((await migrator.migrateTo('0017_webhook_secrets')).error, undefined);
    await sql`PRAGMA foreign_keys = OFF`.execute(db);
    const policy = (id: string, product: string, name: string, at: string) =>
      sql`INSERT INTO policies (id, product_id, name, check_interval_days, evaluation_days, verification, created_at)
          VALUES (${id}, ${product}, ${name}, 30, 30, 'ongoing', ${at})`.execute(db);
    await policy('pol_b', 'prd_1', 'Standard', '2026-01-02T00:00:00.000Z');
    await policy('pol_a', 'prd_1', 'Standard', '2026-01-02T00:00:00.000Z');
    await policy('pol_c', 'prd_1', 'Standard', '2026-01-01T00:00:00.000Z');
    await policy('pol_d', 'prd_2', 'Standard', '2026-01-03T00:00:00.000Z');

    assert.equal((await migrator.migrateToLatest()).error, undefined);
    const { rows } = await sql<{
      id: string;
      name: string;
    }>`SELECT id, name FROM policies ORDER BY id`.execute(db);
    assert.deepEqual(
      rows.map((row) => [row.id, row.name]),
      [
        ['pol_a', 'Standard (pol_a)'],
        ['pol_b', 'Standard (pol_b)'],
        ['pol_c', 'Standard'],
        ['pol_d', 'Standard'],
      ],
    );
    await assert.rejects(policy('pol_e', 'prd_2', 'Standard', '2026-01-04T00:00:00.000Z'), /UNIQUE/);
    await db.destroy();
  });
});
