import { createHmac, diffieHellman, hkdfSync, type KeyObject } from 'node:crypto';
import { utf8 } from './encoding.js';
import { publicKeyFromRaw } from './keys.js';

/**
 * The key that authenticates short codes between the vendor and one container: X25519 between
 * the vendor's and the container's encryption keys, through HKDF-SHA256 with the serial. Codes
 * are too short for signatures; a truncated HMAC under this key is what a code can carry.
 */
export function codeKey(
  ownPrivateKey: KeyObject,
  otherPublicKey: string,
  serial: string,
): Buffer | undefined {
  const other = publicKeyFromRaw('x25519', otherPublicKey);
  if (other === undefined) return undefined;
  const shared = diffieHellman({ privateKey: ownPrivateKey, publicKey: other });
  return Buffer.from(hkdfSync('sha256', shared, utf8('keyward/v1/short-code'), utf8(serial), 32));
}

export function codeMac(key: Uint8Array, data: Uint8Array, bytes: number): Buffer {
  return createHmac('sha256', key).update(data).digest().subarray(0, bytes);
}
