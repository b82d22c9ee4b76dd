import {
  createCipheriv,
  createDecipheriv,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LicenseClient } from '@keyward/client';
import { readServerConfig, startVendorServer } from '@keyward/server';
import { issueForLicense } from '../../packages/server/dist/licensing/update-service.js';
import { perSecond } from './measure.mjs';

/** Raw node:crypto: one Ed25519 operation and one AES-256-GCM pass over `bytes`, the floor of each update step. */
async function rawCrypto(bytes, seconds) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key = randomBytes(32);
  const data = randomBytes(bytes);
  const signature = sign(null, data, privateKey);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(data), cipher.final()]);
  const tag = cipher.getAuthTag();
  const create = await perSecond(() => {
    sign(null, data, privateKey);
    const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
    Buffer.concat([c.update(data), c.final()]);
  }, seconds);
  const open = await perSecond(() => {
    verify(null, data, publicKey, signature);
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAuthTag(tag);
    Buffer.concat([d.update(sealed), d.final()]);
  }, seconds);
  return [create, open];
}

const admin = async (server, token, method, path, body) => {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
};

/** Request creation, package creation and apply, each against raw Ed25519 + AES-GCM measured here. */
export async function updateBenchmarks(seconds = 3) {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyward-bench-updates-'));
  const config = readServerConfig({
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_PORT: '0',
    KEYWARD_LOG_LEVEL: 'silent',
  });
  const server = await startVendorServer(config.value);
  try {
    const token = server.bootstrap.adminToken;
    await admin(server, token, 'POST', '/v1/products', { code: 'bench', name: 'Bench' });
    const policy = await admin(server, token, 'POST', '/v1/policies', {
      product: 'bench',
      name: 'b',
      items: { cad: { nodes: 1 } },
    });
    const { licenses } = await admin(server, token, 'POST', '/v1/licenses', { policy: policy.id });
    const sdkConfig = await admin(server, token, 'GET', '/v1/products/bench/sdk-config');
    const serial = licenses[0].serial;
    const client = new LicenseClient({
      config: sdkConfig,
      home: join(dataDir, 'home'),
      anchorDir: join(dataDir, 'anchor'),
      markerDir: join(dataDir, 'marker'),
      fingerprint: 'bench',
    });
    const activated = await client.activate(serial);
    if (!activated.ok) throw new Error(activated.error.message);

    const sample = await client.updates.createRequest();
    const [rawCreate, rawOpen] = await rawCrypto(sample.value.length, seconds);
    const requests = await perSecond(() => client.updates.createRequest(), seconds);

    const operations = [{ op: 'add-seats', item: 'cad', kind: 'nodes', count: 1 }];
    const files = [];
    const packages = await perSecond(async () => {
      const issued = await issueForLicense(server.context, serial, { operations, transport: 'online' });
      files.push(issued.value.file);
    }, seconds);
    let next = 0;
    const applies = await perSecond(
      async () => {
        const applied = await client.updates.apply(files[next++]);
        if (!applied.ok) throw new Error(applied.error.message);
      },
      Math.min(seconds, 1),
    );

    return {
      rawSignAndEncryptPerSecond: rawCreate,
      rawVerifyAndDecryptPerSecond: rawOpen,
      requestCreationPerSecond: requests,
      requestRatio: +(requests / rawCreate).toFixed(3),
      packageCreationPerSecond: packages,
      packageRatio: +(packages / rawCreate).toFixed(3),
      applyPerSecond: applies,
      applyRatio: +(applies / rawOpen).toFixed(3),
      appliedOf: files.length,
    };
  } finally {
    await server.close();
  }
}
