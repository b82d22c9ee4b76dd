import { decodeArmor, encodeArmor } from './armor.js';
import { openSealedBytes, type SealRecipient, sealBytes, type UnsealKey } from './crypto/sealed-envelope.js';
import type { SignedEnvelope } from './crypto/signed-envelope.js';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';

/**
 * The request and update files: a signed document, sealed to its one recipient, armored. Reading
 * one checks in this order: integrity (FILE_CORRUPTED), the recipient (WRONG_KEY), decryption;
 * the signature inside is the reader's to verify, with the key it trusts.
 */
export function encodeSealedFile(
  label: string,
  headers: Readonly<Record<string, string>>,
  signed: SignedEnvelope,
  recipient: SealRecipient,
): string {
  const sealed = sealBytes(Buffer.from(JSON.stringify(signed)), recipient);
  return encodeArmor({ label, headers, body: Buffer.from(JSON.stringify(sealed)) });
}

/** Opens a sealed file; the value is the signed envelope inside, not yet verified. */
export function openSealedFile(
  text: string,
  label: string,
  keyFor: (kid: string) => UnsealKey | undefined,
): Result<unknown> {
  const armored = decodeArmor(text, label);
  if (!armored.ok) return armored;
  let sealed: unknown;
  try {
    sealed = JSON.parse(Buffer.from(armored.value.body).toString('utf8'));
  } catch {
    return refuse('FILE_CORRUPTED');
  }
  const plain = openSealedBytes(sealed, keyFor);
  if (!plain.ok) return plain;
  try {
    return ok(JSON.parse(plain.value.toString('utf8')) as unknown);
  } catch {
    return refuse('SIGNATURE_INVALID', 'The file holds no signed document.');
  }
}
