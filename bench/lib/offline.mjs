import { verify } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LicenseClient } from '@keyward/client';
import { publicKeyFromRaw } from '@keyward/core';
import { perSecond } from './measure.mjs';

/**
 * Offline CheckLicense in the SDK (load the container, verify it and its anchor, verify the
 * vendor's grant, decide) against raw Ed25519 verification of the grant's own bytes.
 */
export async function offlineVerification(sdkConfig, serial, seconds = 3) {
  const root = await mkdtemp(join(tmpdir(), 'keyward-bench-offline-'));
  const client = new LicenseClient({
    config: sdkConfig,
    home: join(root, 'home'),
    anchorDir: join(root, 'anchor'),
    markerDir: join(root, 'marker'),
    fingerprint: 'bench-computer',
  });
  const activated = await client.activate(serial);
  if (!activated.ok) throw new Error(activated.error.message);
  const probe = await client.check();
  if (!probe.ok || probe.value.online) throw new Error('the offline check must not go online');

  const { readdir, readFile } = await import('node:fs/promises');
  const [file] = (await readdir(join(root, 'home'))).filter((name) => name.endsWith('.kwlic'));
  const text = await readFile(join(root, 'home', file), 'utf8');
  const body = JSON.parse(
    Buffer.from(text.split('\n\n')[1].split('\n=')[0].replace(/\n/g, ''), 'base64').toString(),
  );
  const record = JSON.parse(Buffer.from(body.payload, 'base64url').toString());
  const grant = record.grant;
  const key = publicKeyFromRaw('ed25519', sdkConfig.vendorKeys.find((k) => k.kid === grant.kid).publicKey);
  const input = Buffer.concat([
    Buffer.from(`keyward/v1/${grant.typ}\n`),
    Buffer.from(grant.payload, 'base64url'),
  ]);
  const signature = Buffer.from(grant.sig, 'base64url');

  const raw = await perSecond(() => verify(null, input, key, signature), seconds);
  const sdk = await perSecond(() => client.check(), seconds);
  return { sdkChecksPerSecond: sdk, rawVerifiesPerSecond: raw, ratio: +(sdk / raw).toFixed(3) };
}
