import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SdkConfig } from '@keyward/client';
import type { License, Policy, Product } from '@keyward/core';
import { type RunningServer, readServerConfig, startVendorServer } from '@keyward/server';
import pg from 'pg';
import { adminRequest } from './admin-request.js';

/** A clock tests can move: days pass in an instant. */
export class TestClock {
  private offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  advanceDays(days: number): void {
    this.offsetMs += days * 86_400_000;
  }
  advanceSeconds(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface TestVendor {
  /** The running server; `restart` replaces it. */
  server: RunningServer;
  /** Where the server listens now (a restart listens on a new port). */
  readonly url: string;
  readonly token: string;
  readonly clock: TestClock;
  readonly dataDir: string;
  admin<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  /** A product, a policy and `count` licenses, with the SDK configuration the application ships. */
  issue(policy?: Partial<Omit<Policy, 'id' | 'productId' | 'createdAt'>>, count?: number): Promise<Issued>;
  /** Stops the server and starts it again on the same data and database, as an operator would. */
  restart(whileStopped?: () => void): Promise<RunningServer>;
  close(): Promise<void>;
}

export interface Issued {
  readonly product: Product;
  readonly policy: Policy;
  readonly licenses: License[];
  readonly sdkConfig: SdkConfig;
}

let products = 0;

/** A new, empty PostgreSQL database for one test server (KEYWARD_TEST_DATABASE_URL names the server), dropped with it. */
export async function testDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const adminUrl = process.env.KEYWARD_TEST_DATABASE_URL;
  if (!adminUrl) return undefined;
  const name = `keyward_test_${randomBytes(6).toString('hex')}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}

/**
 * A real vendor server on a random loopback port, with its own data directory and database: an
 * SQLite file, or with KEYWARD_TEST_DATABASE_URL (a PostgreSQL server) a database of its own.
 * `env` adds settings (the mail server, say).
 */
export async function startTestVendor(env: NodeJS.ProcessEnv = {}): Promise<TestVendor> {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyward-vendor-'));
  const database = await testDatabase();
  const config = readServerConfig({
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_PORT: '0',
    KEYWARD_LOG_LEVEL: 'silent',
    ...env,
    ...(database === undefined ? {} : { KEYWARD_DATABASE_URL: database.url }),
  });
  if (!config.ok) throw new Error(config.error.message);
  const clock = new TestClock();
  const server = await startVendorServer(config.value, { now: clock.now });
  const token = server.bootstrap.adminToken;
  if (token === undefined) throw new Error('A new server must print an admin token');
  const admin = adminRequest(
    () => vendor.server.url,
    () => token,
  );
  const vendor: TestVendor = {
    server,
    get url() {
      return vendor.server.url;
    },
    token,
    clock,
    dataDir,
    admin,
    async issue(settings = {}, count = 1) {
      products += 1;
      const product = await admin<Product>('POST', '/v1/products', {
        code: `app-${products}`,
        name: `App ${products}`,
      });
      const policy = await admin<Policy>('POST', '/v1/policies', {
        product: product.code,
        name: 'standard',
        ...settings,
      });
      const { licenses } = await admin<{ licenses: License[] }>('POST', '/v1/licenses', {
        policy: policy.id,
        count,
      });
      const sdkConfig = await admin<SdkConfig>('GET', `/v1/products/${product.code}/sdk-config`);
      return { product, policy, licenses: licenses, sdkConfig };
    },
    async restart(whileStopped?: () => void) {
      await vendor.server.close();
      whileStopped?.();
      vendor.server = await startVendorServer({ ...config.value, port: 0 }, { now: clock.now });
      return vendor.server;
    },
    async close() {
      await vendor.server.close();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return vendor;
}

/** Every row that machine requests may change, to prove a refusal changed nothing. */
export async function machineState(vendor: TestVendor): Promise<string> {
  // Checks are recorded in batches: one still pending from an earlier request would land between two snapshots.
  await vendor.server.context.bindings.checks.flush();
  const db = vendor.server.context.db;
  const tables = await Promise.all([
    db.selectFrom('licenses').selectAll().orderBy('id').execute(),
    db.selectFrom('bindings').selectAll().orderBy('id').execute(),
    db.selectFrom('license_events').selectAll().orderBy('id').execute(),
    db.selectFrom('used_nonces').selectAll().orderBy('nonce').execute(),
    db.selectFrom('license_contents').selectAll().orderBy('license_id').execute(),
    db.selectFrom('license_updates').selectAll().orderBy('id').execute(),
  ]);
  return JSON.stringify(tables);
}
