// Writes the container format 2 test vectors under packages/client/vectors/container-v2: a
// licensed container made by the real SDK against answers signed with a fixed vendor key, and
// rewritten copies an attacker would make. Run once after a format change (node
// scripts/make-container-vectors.mjs); `tests/src/container-vectors.test.ts` verifies them.
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LicenseClient } from '@keyward/client';
import {
  contentsHash,
  DOCUMENT_TYPES,
  encodeUnlockKey,
  generateKeyMaterial,
  keyIdOf,
  privateKeyFromMaterial,
  readUnlockRequest,
  signDocument,
  UPDATE_DOCUMENT_TYPES,
} from '@keyward/core';

const out = new URL('../packages/client/vectors/container-v2/', import.meta.url).pathname;
const seed = (byte) => Buffer.alloc(32, byte);
const vendor = generateKeyMaterial('ed25519', seed(1));
const vendorBox = generateKeyMaterial('x25519', seed(2));
const signer = { kid: keyIdOf('ed25519', vendor.publicKey), privateKey: privateKeyFromMaterial(vendor) };
const now = new Date('2026-01-01T00:00:00.000Z');
const sdkConfig = {
  serverUrl: 'http://127.0.0.1:9',
  product: 'vector-app',
  evaluationDays: 30,
  vendorKeys: [
    { kid: signer.kid, kind: 'ed25519', publicKey: vendor.publicKey },
    { kid: keyIdOf('x25519', vendorBox.publicKey), kind: 'x25519', publicKey: vendorBox.publicKey },
  ],
};
const serial = 'PRYTY-NYGX4-A2W1X-Y1VC8';
const contents = {
  items: { cad: { nodes: 10, servers: 2 } },
  expiresAt: '2027-01-01T00:00:00.000Z',
  counters: { exports: 100 },
  passwords: {},
  memory: { greeting: Buffer.from('hello').toString('base64') },
  verification: 'ongoing',
};

/** The activation server's answer, as the vendor signs it. */
const vendorFetch = async (_url, init) => {
  const { request } = JSON.parse(init.body);
  const asked = JSON.parse(Buffer.from(request.payload, 'base64url').toString('utf8'));
  const grant = {
    serial: asked.serial,
    product: asked.product,
    bindingId: 'bnd_vector',
    containerKey: asked.containerKey,
    containerBoxKey: asked.containerBoxKey,
    fingerprintHash: asked.fingerprintHash,
    fingerprintParts: asked.fingerprintParts,
    sequence: 0,
    contents,
    consumed: { exports: 4 },
    checkIntervalDays: 365,
    graceDays: 7,
    maxTransfers: 3,
    transfersUsed: 0,
    nextCheckAt: '2027-01-01T00:00:00.000Z',
    issuedAt: now.toISOString(),
    nonce: asked.nonce,
  };
  const body = { grant: signDocument(DOCUMENT_TYPES.licenseGrant, grant, signer) };
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
};

await rm(out, { recursive: true, force: true });
const dirs = { home: join(out, 'home'), anchorDir: join(out, 'anchors'), markerDir: join(out, 'marker') };
const client = new LicenseClient({
  config: sdkConfig,
  ...dirs,
  fingerprint: 'vector-computer',
  now: () => now,
  fetch: vendorFetch,
  attempts: 1,
});
const activated = await client.activate(serial);
if (!activated.ok) throw new Error(activated.error.message);
const used = await client.contents.decrementCounter('exports', 3);
if (!used.ok) throw new Error(used.error.message);
const status = await client.status();
await writeFile(join(out, 'sdk-config.json'), `${JSON.stringify(sdkConfig, null, 2)}\n`);
await writeFile(
  join(out, 'expected-status.json'),
  `${JSON.stringify({ fingerprint: 'vector-computer', now: now.toISOString(), status: status.value }, null, 2)}\n`,
);

/** Rewrites of the licensed container an attacker makes with the SDK's own code: each must be refused. */
const [file] = (await readdir(dirs.home)).filter((name) => name.endsWith('.kwlic'));
const { LicenseSession } = await import('../packages/client/dist/license-session.js');
const { ok } = await import('@keyward/core');
const rewriteIn = (base, fingerprint) => async (name, edit) => {
  const target = join(base, 'rewritten', name);
  await mkdir(target, { recursive: true });
  for (const dir of ['home', 'anchors', 'marker'])
    await cp(join(base, dir), join(target, dir), { recursive: true });
  const session = new LicenseSession({
    config: sdkConfig,
    home: join(target, 'home'),
    anchorDir: join(target, 'anchors'),
    markerDir: join(target, 'marker'),
    fingerprint,
    now: () => now,
  });
  const done = await session.store.mutate((current) => ok({ next: edit(current.record), value: undefined }));
  if (!done.ok) throw new Error(done.error.message);
};
const rewrite = rewriteIn(out, 'vector-computer');
const editGrant = (change) => (record) => {
  const grant = JSON.parse(Buffer.from(record.grant.payload, 'base64url').toString('utf8'));
  const payload = Buffer.from(JSON.stringify(change(grant))).toString('base64url');
  return { ...record, grant: { ...record.grant, payload } };
};
await rewrite(
  'expiry-removed',
  editGrant((g) => ({ ...g, contents: { ...g.contents, expiresAt: null } })),
);
await rewrite(
  'verification-off',
  editGrant((g) => ({ ...g, contents: { ...g.contents, verification: 'off' } })),
);
await rewrite(
  'seats-raised',
  editGrant((g) => ({ ...g, contents: { ...g.contents, items: { cad: { nodes: 1_000_000, servers: 2 } } } })),
);
await rewrite('grant-forged', (record) => {
  const grant = JSON.parse(Buffer.from(record.grant.payload, 'base64url').toString('utf8'));
  const forger = generateKeyMaterial('ed25519', seed(9));
  const forged = signDocument(
    DOCUMENT_TYPES.licenseGrant,
    { ...grant, contents: { ...grant.contents, expiresAt: null } },
    { kid: signer.kid, privateKey: privateKeyFromMaterial(forger) },
  );
  return { ...record, grant: forged };
});
await rewrite('update-forged', (record) => {
  const grant = JSON.parse(Buffer.from(record.grant.payload, 'base64url').toString('utf8'));
  const raised = { ...grant.contents, counters: { exports: 1_000_000 } };
  const forger = generateKeyMaterial('ed25519', seed(9));
  const pkg = {
    packageId: 'upd_forged',
    serial: grant.serial,
    product: grant.product,
    containerKey: grant.containerKey,
    fromSequence: 0,
    toSequence: 1,
    operations: [{ op: 'set-counter', name: 'exports', value: 1_000_000 }],
    contents: raised,
    resultHash: contentsHash(raised),
    orderRef: null,
    issuedAt: now.toISOString(),
  };
  const envelope = signDocument(UPDATE_DOCUMENT_TYPES.updatePackage, pkg, {
    kid: signer.kid,
    privateKey: privateKeyFromMaterial(forger),
  });
  return { ...record, updates: [{ kind: 'package', envelope }] };
});
/**
 * A container activated by phone: its grant is the request code it made and the Unlock Key code
 * the vendor read back, rebuilt at every start (docs/container-format.md, "The grant by phone").
 */
const phone = join(out, 'phone');
const phoneFingerprint = 'kwfp1:machine=vector-phone;cpu=xeon;memory=16;network=aa:bb;host=desk';
const phoneSerial = 'PRYTY-NYGX4-A2W1X-Y1VC8';
const phoneTerms = {
  sequence: 0,
  contents: { ...contents, memory: {} },
  consumed: { exports: 4 },
  checkIntervalDays: 365,
  graceDays: 7,
  maxTransfers: 3,
  transfersUsed: 0,
  issuedAt: now.toISOString(),
};
const phoneClient = new LicenseClient({
  config: sdkConfig,
  home: join(phone, 'home'),
  anchorDir: join(phone, 'anchors'),
  markerDir: join(phone, 'marker'),
  fingerprint: phoneFingerprint,
  now: () => now,
  fetch: vendorFetch,
  attempts: 1,
});
const asked = await phoneClient.offline.request(phoneSerial);
if (!asked.ok || asked.value.code === null) throw new Error('the phone vector needs a request code');
const request = readUnlockRequest(asked.value.code, phoneSerial);
if (!request.ok) throw new Error(request.error.message);
const unlockKey = encodeUnlockKey(sdkConfig.product, phoneSerial, request.value, phoneTerms, signer);
if (!unlockKey.ok) throw new Error(unlockKey.error.message);
const unlocked = await phoneClient.offline.unlock(unlockKey.value);
if (!unlocked.ok) throw new Error(unlocked.error.message);
await writeFile(
  join(phone, 'expected-status.json'),
  `${JSON.stringify({ fingerprint: phoneFingerprint, now: now.toISOString(), status: unlocked.value }, null, 2)}\n`,
);
const rewritePhone = rewriteIn(phone, phoneFingerprint);
await rewritePhone('unlock-key-forged', (record) => {
  const forger = generateKeyMaterial('ed25519', seed(9));
  const forged = encodeUnlockKey(
    sdkConfig.product,
    phoneSerial,
    request.value,
    { ...phoneTerms, contents: { ...phoneTerms.contents, expiresAt: null } },
    { kid: signer.kid, privateKey: privateKeyFromMaterial(forger) },
  );
  if (!forged.ok) throw new Error(forged.error.message);
  return { ...record, grant: { ...record.grant, unlockKey: forged.value } };
});
await rewritePhone('serial-swapped', (record) => ({
  ...record,
  grant: { ...record.grant, serial: 'Z9ZZZ-NYGX4-A2W1X-Y1VC8' },
}));
console.log(`Wrote ${file}, a container activated by phone, and their rewrites under ${out}`);
