import {
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { fromBase64Url, toBase64Url } from './encoding.js';

/** Ed25519 keys sign; X25519 keys receive sealed (encrypted) data. */
export type KeyKind = 'ed25519' | 'x25519';

const PKCS8_PREFIX: Record<KeyKind, string> = {
  ed25519: '302e020100300506032b657004220420',
  x25519: '302e020100300506032b656e04220420',
};
const SPKI_PREFIX: Record<KeyKind, string> = {
  ed25519: '302a300506032b6570032100',
  x25519: '302a300506032b656e032100',
};

/** A private key as stored: the 32-byte seed, base64url. */
export interface PrivateKeyMaterial {
  readonly kind: KeyKind;
  readonly seed: string;
  readonly publicKey: string;
}

/**
 * Imports a private key from its 32-byte seed. Given its public key too, the import goes through
 * JWK, about ten times faster than PKCS#8, which matters where keys are imported at every start.
 */
export function privateKeyFromSeed(kind: KeyKind, seed: Uint8Array, publicKey?: string): KeyObject {
  if (seed.length !== 32) throw new RangeError('A key seed is 32 bytes');
  if (publicKey !== undefined) {
    const crv = kind === 'ed25519' ? 'Ed25519' : 'X25519';
    return createPrivateKey({ key: { kty: 'OKP', crv, d: toBase64Url(seed), x: publicKey }, format: 'jwk' });
  }
  return createPrivateKey({
    key: Buffer.concat([Buffer.from(PKCS8_PREFIX[kind], 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

export function rawPublicKey(key: KeyObject): Buffer {
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

const publicKeyCache = new Map<string, KeyObject>();

/** Imports a 32-byte base64url public key; undefined when it is not one. Imports are cached: verification is hot. */
export function publicKeyFromRaw(kind: KeyKind, raw: string): KeyObject | undefined {
  const cacheKey = `${kind}:${raw}`;
  const cached = publicKeyCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const bytes = fromBase64Url(raw);
  if (bytes === undefined || bytes.length !== 32) return undefined;
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: Buffer.concat([Buffer.from(SPKI_PREFIX[kind], 'hex'), bytes]),
      format: 'der',
      type: 'spki',
    });
  } catch {
    return undefined;
  }
  if (publicKeyCache.size > 10_000) publicKeyCache.clear();
  publicKeyCache.set(cacheKey, key);
  return key;
}

/** A throwaway X25519 key, to try a box key on: made once, never used to seal anything. */
let probe: KeyObject | undefined;

/**
 * Whether anything can be sealed to this X25519 public key: 32 bytes, and not one of the
 * small-order points whose shared secret is all zeros (key agreement then fails). Checked where a
 * container's box key is first stored, so that a later update for it cannot fail.
 */
export function acceptsSealing(raw: string): boolean {
  const key = publicKeyFromRaw('x25519', raw);
  if (key === undefined) return false;
  probe ??= generateKeyPairSync('x25519').privateKey;
  try {
    diffieHellman({ privateKey: probe, publicKey: key });
    return true;
  } catch {
    return false;
  }
}

export function generateKeyMaterial(kind: KeyKind, seed: Uint8Array = randomBytes(32)): PrivateKeyMaterial {
  return {
    kind,
    seed: toBase64Url(seed),
    publicKey: toBase64Url(rawPublicKey(privateKeyFromSeed(kind, seed))),
  };
}

export function privateKeyFromMaterial(material: PrivateKeyMaterial): KeyObject {
  const seed = fromBase64Url(material.seed);
  if (seed === undefined) throw new RangeError('A key seed must be base64url');
  return privateKeyFromSeed(material.kind, seed, material.publicKey);
}

/** Key ids name a public key in every signed or sealed document, so keys can rotate. */
export function keyIdOf(kind: KeyKind, publicKey: string): string {
  const digest = createHash('sha256').update(`${kind}:${publicKey}`).digest('hex');
  return `${kind === 'ed25519' ? 'sig' : 'box'}-${digest.slice(0, 16)}`;
}
