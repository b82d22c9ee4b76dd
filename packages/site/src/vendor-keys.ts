import type { KeyObject } from 'node:crypto';
import { publicKeyFromRaw, type VendorKeys } from '@keyward/core';

/** A vendor public key as the vendor publishes it (SDK configuration, site certificate file). */
export interface PublishedKey {
  readonly kid: string;
  readonly kind: string;
  readonly publicKey: string;
}

export function isPublishedKey(value: unknown): value is PublishedKey {
  const key = value as Partial<PublishedKey> | null;
  return (
    typeof key === 'object' &&
    key !== null &&
    typeof key.kid === 'string' &&
    typeof key.kind === 'string' &&
    typeof key.publicKey === 'string'
  );
}

/** The vendor's Ed25519 keys among those published: the only ones a site license may be signed with. */
export function verifyKeysOf(published: readonly PublishedKey[]): VendorKeys {
  const keys = new Map<string, KeyObject>();
  for (const key of published) {
    const imported = key.kind === 'ed25519' ? publicKeyFromRaw('ed25519', key.publicKey) : undefined;
    if (imported !== undefined) keys.set(key.kid, imported);
  }
  return { byKid: (kid) => keys.get(kid), all: [...keys.values()] };
}
