import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SdkConfig, SiteLeaseClient } from '@keyward/client';
import { publicKeyFromRaw, type VendorKeys } from '@keyward/core';
import { type RunningSite, readSiteConfig, startSiteServer } from '@keyward/site';
import { adminRequest } from './admin-request.js';
import type { TestVendor } from './vendor-server.js';

export interface TestSite {
  /** The running server; a new one after `start`. */
  readonly server: RunningSite;
  /** The same after a restart: the site comes back on its port. */
  readonly url: string;
  readonly token: string;
  readonly siteId: string;
  readonly dataDir: string;
  /** The site's administration API with its token; throws with the refusal on an error answer. */
  admin<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** The vendor issues this site a key file for `serial`. */
  keyFile(serial: string): Promise<string>;
  station(stationId: string, config: SdkConfig): SiteLeaseClient;
  /** Takes the site off the network, keeping its data: a neighbour that is offline. */
  stop(): Promise<void>;
  /** Starts it again on the same data and port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The site administration API, answering the raw HTTP status and body, for refusals. */
export async function siteCall(
  site: Pick<TestSite, 'url' | 'token'>,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${site.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${site.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * A real site server on a random loopback port with its own data directory, on the vendor's
 * clock, registered with the vendor and its certificate installed (unless `register` is false).
 */
export async function startTestSite(
  vendor: TestVendor,
  settings: { register?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<TestSite> {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyward-site-'));
  const config = readSiteConfig({
    KEYWARD_SITE_DATA_DIR: dataDir,
    KEYWARD_SITE_PORT: '0',
    KEYWARD_LOG_LEVEL: 'silent',
    ...settings.env,
  });
  if (!config.ok) throw new Error(config.error.message);
  let server = await startSiteServer(config.value, { now: vendor.clock.now });
  let running = true;
  const url = server.url;
  const token = server.bootstrap.adminToken;
  if (token === undefined) throw new Error('A new site server must print an admin token');
  const admin = adminRequest(
    () => url,
    () => token,
  );
  let siteId = '';
  if (settings.register !== false) {
    const file = await vendor.admin<{ site: { id: string } }>('POST', '/v1/sites', {
      name: `Site ${dataDir.slice(-6)}`,
      siteKey: server.context.identity.key.publicKey,
    });
    siteId = file.site.id;
    await admin('POST', '/v1/site/certificate', file);
  }
  return {
    get server() {
      return server;
    },
    url,
    token,
    siteId,
    dataDir,
    admin,
    async keyFile(serial) {
      const issued = await vendor.admin<{ file: string }>('POST', `/v1/sites/${siteId}/licenses`, {
        license: serial,
      });
      return issued.file;
    },
    station(stationId, sdkConfig) {
      return new SiteLeaseClient({
        siteUrl: url,
        config: sdkConfig,
        stationId,
        now: vendor.clock.now,
      });
    },
    async stop() {
      await server.close();
      running = false;
    },
    async start() {
      server = await startSiteServer(
        { ...config.value, port: Number(new URL(url).port) },
        { now: vendor.clock.now },
      );
      running = true;
    },
    async close() {
      if (running) await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The vendor keys an application's SDK configuration ships, as verifiers. */
export function vendorKeysOf(config: SdkConfig): VendorKeys {
  const keys = config.vendorKeys.flatMap((key) => {
    const imported = key.kind === 'ed25519' ? publicKeyFromRaw('ed25519', key.publicKey) : undefined;
    return imported === undefined ? [] : [[key.kid, imported] as const];
  });
  const byKid = new Map(keys);
  return { byKid: (kid) => byKid.get(kid), all: [...byKid.values()] };
}
