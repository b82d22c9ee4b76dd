import type { KeyObject } from 'node:crypto';
import {
  deriveKey,
  fromBase64Url,
  generateKeyMaterial,
  type KeyKind,
  keyIdOf,
  lockSecret,
  privateKeyFromSeed,
  publicKeyFromRaw,
  type Signer,
  type UnsealKey,
  unlockSecret,
} from '@keyward/core';
import type { Transaction } from 'kysely';
import type { VendorDb } from '../storage/database.js';
import type { VendorDatabase } from '../storage/schema.js';
import { once } from '../storage/server-claims.js';

export interface VendorPublicKey {
  readonly kid: string;
  readonly kind: KeyKind;
  readonly publicKey: string;
  readonly active: boolean;
}

/** The vendor's keys, unlocked in memory: the active Ed25519 key signs, X25519 keys receive sealed requests. */
export interface VendorKeyring {
  readonly signer: Signer;
  readonly box: UnsealKey & { readonly kid: string };
  readonly publicKeys: readonly VendorPublicKey[];
  unsealKeyFor(kid: string): UnsealKey | undefined;
  verifyKeyFor(kid: string): KeyObject | undefined;
}

const lockKey = (masterSecret: Uint8Array, kid: string) => deriveKey(masterSecret, kid, 'vendor-private-key');

/** Creates the vendor's signing and encryption keys unless they exist, once however many processes start; returns the kids created. */
/** Whether the database holds the vendor's keys: every start after the first finds them. */
export async function hasVendorKeys(db: VendorDb): Promise<boolean> {
  const row = await db.selectFrom('vendor_keys').select('kid').limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function ensureVendorKeys(
  db: VendorDb,
  masterSecret: Uint8Array,
  at: string,
): Promise<string[]> {
  const created = await once(db, 'vendor-keys', at, (trx) => createVendorKeys(trx, masterSecret, at));
  return created ?? [];
}

async function createVendorKeys(
  db: Transaction<VendorDatabase>,
  masterSecret: Uint8Array,
  at: string,
): Promise<string[]> {
  const existing = await db.selectFrom('vendor_keys').select(['kind']).where('active', '=', 1).execute();
  const created: string[] = [];
  for (const kind of ['ed25519', 'x25519'] as const) {
    if (existing.some((row) => row.kind === kind)) continue;
    const material = generateKeyMaterial(kind);
    const kid = keyIdOf(kind, material.publicKey);
    const seed = fromBase64Url(material.seed) ?? Buffer.alloc(0);
    await db
      .insertInto('vendor_keys')
      .values({
        kid,
        kind,
        public_key: material.publicKey,
        locked_seed: lockSecret(seed, lockKey(masterSecret, kid), kid),
        active: 1,
        created_at: at,
      })
      .execute();
    created.push(kid);
  }
  return created;
}

export async function loadKeyring(db: VendorDb, masterSecret: Uint8Array): Promise<VendorKeyring> {
  const rows = await db.selectFrom('vendor_keys').selectAll().orderBy('created_at').execute();
  const privateKeys = new Map<string, KeyObject>();
  const publicKeys: VendorPublicKey[] = [];
  for (const row of rows) {
    const kind: KeyKind = row.kind === 'x25519' ? 'x25519' : 'ed25519';
    const seed = unlockSecret(row.locked_seed, lockKey(masterSecret, row.kid), row.kid);
    if (!seed.ok) {
      throw new Error(
        `Vendor key ${row.kid} cannot be unlocked: the master key is not the one it was created with.`,
      );
    }
    privateKeys.set(row.kid, privateKeyFromSeed(kind, seed.value, row.public_key));
    publicKeys.push({ kid: row.kid, kind, publicKey: row.public_key, active: row.active === 1 });
  }
  const active = (kind: KeyKind) => {
    const key = publicKeys.findLast((candidate) => candidate.kind === kind && candidate.active);
    const privateKey = key && privateKeys.get(key.kid);
    if (key === undefined || privateKey === undefined) throw new Error(`No active ${kind} vendor key`);
    return { ...key, privateKey };
  };
  const signing = active('ed25519');
  const box = active('x25519');
  return {
    signer: { kid: signing.kid, privateKey: signing.privateKey },
    box: { kid: box.kid, publicKey: box.publicKey, privateKey: box.privateKey },
    publicKeys,
    unsealKeyFor(kid) {
      const key = publicKeys.find((candidate) => candidate.kid === kid && candidate.kind === 'x25519');
      const privateKey = privateKeys.get(kid);
      return key && privateKey && { publicKey: key.publicKey, privateKey };
    },
    verifyKeyFor(kid) {
      const key = publicKeys.find((candidate) => candidate.kid === kid && candidate.kind === 'ed25519');
      return key && publicKeyFromRaw('ed25519', key.publicKey);
    },
  };
}
