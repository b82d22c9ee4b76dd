import { createDecipheriv, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LicenseClient } from '@keyward/client';
import { deriveKey, localSecretOf, publicKeyFromRaw, vouchedArmorBody } from '@keyward/core';
import { perSecond } from './measure.mjs';

const FINGERPRINT = 'bench-computer';

/** The one file in `dir` whose name ends with `suffix`. */
async function onlyFile(dir, suffix) {
  const [name] = (await readdir(dir)).filter((entry) => entry.endsWith(suffix));
  if (name === undefined) throw new Error(`no ${suffix} file in ${dir}`);
  return join(dir, name);
}

/**
 * The least an offline check can do, as plain node:crypto and node:fs code: read the container
 * file and its anchor, verify the vendor's signature over the grant (one Ed25519 verification)
 * and unlock the container's keys (one AES-256-GCM decryption). Everything it needs besides the
 * files (the vendor key object, the signed bytes, the unlock key) is prepared once, outside.
 */
function offlineFloor(containerFile, anchorFile, sdkConfig) {
  const body = JSON.parse(vouchedArmorBody(readFileSync(containerFile, 'utf8')).toString('utf8'));
  const record = JSON.parse(Buffer.from(body.payload, 'base64url').toString('utf8'));
  const { grant } = record;
  const vendorKey = publicKeyFromRaw(
    'ed25519',
    sdkConfig.vendorKeys.find((key) => key.kid === grant.kid).publicKey,
  );
  const signed = Buffer.concat([
    Buffer.from(`keyward/v1/${grant.typ}\n`),
    Buffer.from(grant.payload, 'base64url'),
  ]);
  const signature = Buffer.from(grant.sig, 'base64url');
  const unlockKey = deriveKey(
    Buffer.from(localSecretOf(FINGERPRINT), 'utf8'),
    record.containerId,
    'container-keys',
  );
  const [, iv, sealed, tag] = record.lockedKeys.split('.').map((part) => Buffer.from(part, 'base64url'));
  const aad = Buffer.from(record.containerId, 'utf8');
  return {
    check() {
      readFileSync(containerFile);
      readFileSync(anchorFile);
      if (!verify(null, signed, vendorKey, signature)) throw new Error('the grant must verify');
      const decipher = createDecipheriv('aes-256-gcm', unlockKey, iv);
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      decipher.update(sealed);
      decipher.final();
    },
    rawVerify: () => verify(null, signed, vendorKey, signature),
  };
}

/**
 * Offline CheckLicense in the SDK (load the container, verify it and its anchor, verify the
 * vendor's grant, decide) against its own floor measured in the same run: the same files read,
 * one Ed25519 verification and one AES-256-GCM decryption (see `offlineFloor`). Raw Ed25519
 * verification of the grant's bytes is reported beside them. Each is measured for `seconds`.
 */
export async function offlineVerification(sdkConfig, serial, { seconds = 3 } = {}) {
  const root = await mkdtemp(join(tmpdir(), 'keyward-bench-offline-'));
  try {
    const client = new LicenseClient({
      config: sdkConfig,
      home: join(root, 'home'),
      anchorDir: join(root, 'anchor'),
      markerDir: join(root, 'marker'),
      fingerprint: FINGERPRINT,
    });
    const activated = await client.activate(serial);
    if (!activated.ok) throw new Error(activated.error.message);
    const probe = await client.check();
    if (!probe.ok || probe.value.online) throw new Error('the offline check must not go online');

    const floor = offlineFloor(
      await onlyFile(join(root, 'home'), '.kwlic'),
      await onlyFile(join(root, 'anchor'), '.anchor'),
      sdkConfig,
    );
    // Interleaved in short rounds, so that a busy machine slows all three alike.
    const rounds = Math.max(1, Math.round(seconds * 10));
    const runs = { raw: [], floor: [], sdk: [] };
    for (let round = 0; round < rounds; round++) {
      runs.raw.push(await perSecond(floor.rawVerify, seconds / rounds));
      runs.floor.push(await perSecond(floor.check, seconds / rounds));
      runs.sdk.push(await perSecond(() => client.check(), seconds / rounds));
    }
    const rate = (rates) => Math.round(rates.reduce((sum, each) => sum + each, 0) / rates.length);
    const rawVerifiesPerSecond = rate(runs.raw);
    const floorPerSecond = rate(runs.floor);
    const sdkChecksPerSecond = rate(runs.sdk);
    return {
      sdkChecksPerSecond,
      floorPerSecond,
      ratio: +(sdkChecksPerSecond / floorPerSecond).toFixed(3),
      rawVerifiesPerSecond,
      target: '>= 0.8x its floor',
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
