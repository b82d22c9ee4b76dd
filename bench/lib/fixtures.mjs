import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  contentsHash,
  DOCUMENT_TYPES,
  generateKeyMaterial,
  generateSerial,
  initialContents,
  keyIdOf,
  newId,
  newNonce,
  privateKeyFromMaterial,
  signDocument,
} from '@keyward/core';
import SQLite from 'better-sqlite3';

export async function admin(server, method, path, body) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${server.adminToken}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const payload = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(payload)}`);
  return payload;
}

/** A product and a policy with a ten-year check interval, as in the source document. */
export async function productAndPolicy(server) {
  const product = await admin(server, 'POST', '/v1/products', { code: 'bench', name: 'Bench' });
  const policy = await admin(server, 'POST', '/v1/policies', {
    product: 'bench',
    name: 'bench',
    checkIntervalDays: 3650,
  });
  return { product, policy };
}

/** Inserts `count` licenses straight into the SQLite file (the server is stopped meanwhile): seeding, not measuring. */
export function seedLicenses(dataDir, policy, count) {
  const db = new SQLite(join(dataDir, 'keyward.db'));
  const insert = db.prepare(
    'insert into licenses (id, serial, product_id, policy_id, status, expires_at, transfers_used, note, created_at) values (?, ?, ?, ?, ?, null, 0, null, ?)',
  );
  const insertContents = db.prepare(
    'insert into license_contents (license_id, sequence, contents, contents_hash, initial_hash, updated_at) values (?, 0, ?, ?, ?, ?)',
  );
  const contents = initialContents(policy, null);
  const contentsJson = JSON.stringify(contents);
  const hash = contentsHash(contents);
  const serials = [];
  const now = new Date().toISOString();
  const batch = db.transaction((size) => {
    for (let i = 0; i < size; i++) {
      const serial = generateSerial();
      serials.push(serial);
      const id = newId('lic');
      insert.run(id, serial, policy.productId, policy.id, 'active', now);
      insertContents.run(id, contentsJson, hash, hash, now);
    }
  });
  for (let done = 0; done < count; done += 50_000) batch(Math.min(50_000, count - done));
  db.close();
  return serials;
}

/** A container as the SDK makes one: its signing and sealing keys, and the computer's fingerprint. */
export function newContainer() {
  const signing = generateKeyMaterial('ed25519');
  return {
    signing,
    signer: { kid: keyIdOf('ed25519', signing.publicKey), privateKey: privateKeyFromMaterial(signing) },
    boxKey: generateKeyMaterial('x25519').publicKey,
    fingerprintHash: randomBytes(32).toString('hex'),
  };
}

/** A document the container signs, with its public key beside it: the body of every machine request. */
function containerMessage(container, typ, document) {
  const request = signDocument(typ, document, container.signer);
  return JSON.stringify({ containerKey: container.signing.publicKey, request });
}

const asked = (container, serial, product) => ({
  serial,
  product,
  containerKey: container.signing.publicKey,
  fingerprintHash: container.fingerprintHash,
  nonce: newNonce(),
  issuedAt: new Date().toISOString(),
});

/** A license request as a container signs it: the body of /activate and /check. */
export function licenseRequestBody(serial, product = 'bench', container = newContainer()) {
  return containerMessage(container, DOCUMENT_TYPES.licenseRequest, {
    ...asked(container, serial, product),
    containerBoxKey: container.boxKey,
    fingerprintParts: {},
    sequence: 0,
    consumed: {},
  });
}

/** A release for a transfer, signed by the container that holds the binding: the body of /deactivate. */
export function deactivationRequestBody(serial, bindingId, container, product = 'bench') {
  return containerMessage(container, DOCUMENT_TYPES.deactivationRequest, {
    ...asked(container, serial, product),
    bindingId,
    consumed: {},
  });
}
