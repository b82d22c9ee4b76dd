import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** scrypt parameters of application passwords: N=2^14, r=8, p=1 (about 16 MiB, tens of milliseconds). */
const N = 16384;
const R = 8;
const P = 1;

/** `scrypt$N$r$p$salt$hash`, so the parameters can change without breaking stored hashes. */
export function hashPassword(password: string, salt: Uint8Array = randomBytes(16)): string {
  const hash = scryptSync(password.normalize('NFC'), salt, 32, { N, r: R, p: P });
  return ['scrypt', N, R, P, Buffer.from(salt).toString('base64url'), hash.toString('base64url')].join('$');
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = scryptSync(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return expected.length > 0 && timingSafeEqual(actual, expected);
}

export function isPasswordHash(value: string): boolean {
  return /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/.test(value);
}
