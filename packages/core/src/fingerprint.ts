import { createHash } from 'node:crypto';

/**
 * A computer's identity as named parts (machine id, CPU, memory, network adapter, host name),
 * written `kwfp1:machine=…;cpu=…;…`. A fingerprint given whole (an override, a container's own
 * id) is one part. Parts let one hardware change (a RAM upgrade, a new network card) keep the
 * same computer.
 */
export const FINGERPRINT_PREFIX = 'kwfp1:';

/** Parts a computed fingerprint has, in order. The `machine` part also keys the files on disk. */
export const FINGERPRINT_PARTS = ['machine', 'cpu', 'memory', 'network', 'host'] as const;

/** Fewer parts than this and any change is another computer: tolerance needs a majority left. */
const TOLERANT_FROM = 3;

export function parseFingerprint(fingerprint: string): Readonly<Record<string, string>> {
  if (!fingerprint.startsWith(FINGERPRINT_PREFIX)) return { id: fingerprint };
  const parts: Record<string, string> = {};
  for (const entry of fingerprint.slice(FINGERPRINT_PREFIX.length).split(';')) {
    const at = entry.indexOf('=');
    if (at > 0) parts[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return Object.keys(parts).length > 0 ? parts : { id: fingerprint };
}

export function formatFingerprint(parts: Readonly<Record<string, string>>): string {
  return `${FINGERPRINT_PREFIX}${Object.entries(parts)
    .map(([name, value]) => `${name}=${value}`)
    .join(';')}`;
}

/**
 * What keys this computer's files (container keys, anchor, evaluation marker): the machine id
 * alone when the fingerprint has one, so a hardware change still opens them. The hardware parts
 * are checked against the vendor's grant instead.
 */
export function localSecretOf(fingerprint: string): string {
  const parts = parseFingerprint(fingerprint);
  return parts.machine === undefined ? fingerprint : `machine:${parts.machine}`;
}

/** Each part hashed, salted with the product, so the vendor learns nothing it could follow elsewhere. */
export function fingerprintPartHashes(productCode: string, fingerprint: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseFingerprint(fingerprint))) {
    hashes[name] = createHash('sha256')
      .update(`keyward/fingerprint-part/v1\n${productCode}\n${name}\n${value}`)
      .digest('hex')
      .slice(0, 32);
  }
  return hashes;
}

/**
 * Whether two sets of part hashes are the same computer: every part equal, or (with at least
 * three parts, the same names on both sides) all but one. No parts (a binding made before parts
 * were kept) says nothing: the whole fingerprint hash decides then.
 */
export function sameComputerParts(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const names = Object.keys(a);
  if (
    names.length === 0 ||
    names.length !== Object.keys(b).length ||
    !names.every((name) => b[name] !== undefined)
  )
    return false;
  const differing = names.filter((name) => a[name] !== b[name]).length;
  return differing === 0 || (names.length >= TOLERANT_FROM && differing === 1);
}
