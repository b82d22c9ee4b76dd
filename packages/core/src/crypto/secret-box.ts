import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { type KeywardError, refuse } from '../errors.js';
import { ok, type Result } from '../result.js';
import { fromBase64Url, toBase64Url, utf8 } from './encoding.js';

/**
 * Secrets kept at rest (vendor private keys, a container's private keys): AES-256-GCM under a key
 * derived with HKDF-SHA256 from a master secret and a purpose, so one master secret serves
 * several purposes without their keys ever being the same. Text form: `v1.<iv>.<ct>.<tag>`.
 */
export function deriveKey(masterSecret: Uint8Array, salt: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterSecret, utf8(salt), utf8(`keyward/v1/${purpose}`), 32));
}

export function lockSecret(plaintext: Uint8Array, key: Uint8Array, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(utf8(context));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return ['v1', toBase64Url(iv), toBase64Url(ct), toBase64Url(cipher.getAuthTag())].join('.');
}

export function unlockSecret(locked: string, key: Uint8Array, context: string): Result<Buffer, KeywardError> {
  const [version, ivText, ctText, tagText, ...rest] = locked.split('.');
  const iv = fromBase64Url(ivText ?? '');
  const ct = fromBase64Url(ctText ?? '');
  const tag = fromBase64Url(tagText ?? '');
  if (version !== 'v1' || rest.length > 0 || iv?.length !== 12 || ct === undefined || tag?.length !== 16) {
    return refuse('DECRYPTION_FAILED', 'The protected secret is not in the expected form.');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(utf8(context));
    decipher.setAuthTag(tag);
    return ok(Buffer.concat([decipher.update(ct), decipher.final()]));
  } catch {
    return refuse('DECRYPTION_FAILED');
  }
}
