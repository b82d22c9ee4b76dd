import {
  createCipheriv,
  createDecipheriv,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { type KeywardError, refuse } from '../errors.js';
import { ok, type Result } from '../result.js';
import { fromBase64Url, toBase64Url, utf8 } from './encoding.js';
import { privateKeyFromSeed, publicKeyFromRaw, rawPublicKey } from './keys.js';

export const SEAL_ALGORITHM = 'X25519-HKDF-SHA256-A256GCM';

/** Data encrypted to one recipient's X25519 key: ephemeral ECDH, HKDF-SHA256, AES-256-GCM. */
export interface SealedEnvelope {
  readonly v: 1;
  readonly alg: typeof SEAL_ALGORITHM;
  readonly kid: string;
  readonly epk: string;
  readonly iv: string;
  readonly ct: string;
  readonly tag: string;
}

export interface SealRecipient {
  readonly kid: string;
  readonly publicKey: string;
}

export interface UnsealKey {
  readonly privateKey: KeyObject;
  readonly publicKey: string;
}

/** Fixed values for test vectors only; production callers leave them to chance. */
export interface SealRandomness {
  readonly ephemeralSeed: Uint8Array;
  readonly iv: Uint8Array;
}

function contentKey(sharedSecret: Buffer, epk: string, recipientPublicKey: string): Buffer {
  const salt = Buffer.concat([utf8(epk), utf8('.'), utf8(recipientPublicKey)]);
  return Buffer.from(hkdfSync('sha256', sharedSecret, salt, utf8('keyward/v1/seal'), 32));
}

function associatedData(kid: string, epk: string): Buffer {
  return utf8(`keyward/v1/${SEAL_ALGORITHM}/${kid}/${epk}`);
}

export function sealBytes(
  plaintext: Uint8Array,
  recipient: SealRecipient,
  randomness?: SealRandomness,
): SealedEnvelope {
  const recipientKey = publicKeyFromRaw('x25519', recipient.publicKey);
  if (recipientKey === undefined) throw new RangeError('The recipient key is not an X25519 public key');
  const ephemeral =
    randomness === undefined
      ? generateKeyPairSync('x25519').privateKey
      : privateKeyFromSeed('x25519', randomness.ephemeralSeed);
  const iv = randomness?.iv ?? randomBytes(12);
  const epk = toBase64Url(rawPublicKey(ephemeral));
  const shared = diffieHellman({ privateKey: ephemeral, publicKey: recipientKey });
  const cipher = createCipheriv('aes-256-gcm', contentKey(shared, epk, recipient.publicKey), iv);
  cipher.setAAD(associatedData(recipient.kid, epk));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    v: 1,
    alg: SEAL_ALGORITHM,
    kid: recipient.kid,
    epk,
    iv: toBase64Url(iv),
    ct: toBase64Url(ct),
    tag: toBase64Url(cipher.getAuthTag()),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function openSealedBytes(
  envelope: unknown,
  keyFor: (kid: string) => UnsealKey | undefined,
): Result<Buffer, KeywardError> {
  if (
    !isRecord(envelope) ||
    envelope.v !== 1 ||
    envelope.alg !== SEAL_ALGORITHM ||
    typeof envelope.kid !== 'string' ||
    typeof envelope.epk !== 'string'
  ) {
    return refuse('VALIDATION_FAILED', 'The encrypted document is not in the expected form.');
  }
  const key = keyFor(envelope.kid);
  if (key === undefined) {
    return refuse('WRONG_KEY', `The data is encrypted for key "${envelope.kid}", which is not this one.`);
  }
  const epk = publicKeyFromRaw('x25519', envelope.epk);
  const iv = typeof envelope.iv === 'string' ? fromBase64Url(envelope.iv) : undefined;
  const ct = typeof envelope.ct === 'string' ? fromBase64Url(envelope.ct) : undefined;
  const tag = typeof envelope.tag === 'string' ? fromBase64Url(envelope.tag) : undefined;
  if (epk === undefined || iv?.length !== 12 || ct === undefined || tag?.length !== 16) {
    return refuse('DECRYPTION_FAILED', 'The encrypted document is incomplete.');
  }
  try {
    const shared = diffieHellman({ privateKey: key.privateKey, publicKey: epk });
    const decipher = createDecipheriv('aes-256-gcm', contentKey(shared, envelope.epk, key.publicKey), iv);
    decipher.setAAD(associatedData(envelope.kid, envelope.epk));
    decipher.setAuthTag(tag);
    return ok(Buffer.concat([decipher.update(ct), decipher.final()]));
  } catch {
    return refuse('DECRYPTION_FAILED');
  }
}
