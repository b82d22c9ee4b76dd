import type { ContainerContents } from './contents.js';

/** What a renewal is compared on: the product and the seats of the key it would replace. */
export interface RenewableKey {
  readonly product: string;
  readonly contents: Pick<ContainerContents, 'items' | 'expiresAt'>;
}

/** Why a renewal cannot replace the current key by itself; the administrator propagates it by hand. */
export type RenewalMismatch = 'OTHER_PRODUCT' | 'MISSING_COMPONENT' | 'FEWER_SEATS';

export type RenewalVerdict =
  | { readonly compatible: true }
  | { readonly compatible: false; readonly mismatch: RenewalMismatch; readonly reason: string };

/**
 * Whether a renewal can take the current key's place on every object that holds it: the same
 * product, every component (item) of the current key, and at least as many seats of each kind.
 * A renewal may license more components and more seats.
 */
export function renewalCompatibility(current: RenewableKey, renewal: RenewableKey): RenewalVerdict {
  if (current.product !== renewal.product)
    return {
      compatible: false,
      mismatch: 'OTHER_PRODUCT',
      reason: `The new key is for product ${renewal.product}, the current key for ${current.product}.`,
    };
  const missing = Object.keys(current.contents.items).filter((item) => !(item in renewal.contents.items));
  if (missing.length > 0)
    return {
      compatible: false,
      mismatch: 'MISSING_COMPONENT',
      reason: `The new key lacks ${missing.length === 1 ? 'the component' : 'the components'} ${missing.join(', ')} of the current key.`,
    };
  const fewer = Object.entries(current.contents.items).flatMap(([item, seats]) =>
    Object.entries(seats)
      .filter(([seat, count]) => (renewal.contents.items[item]?.[seat] ?? 0) < count)
      .map(
        ([seat, count]) =>
          `${item}/${seat} (${renewal.contents.items[item]?.[seat] ?? 0} instead of ${count})`,
      ),
  );
  if (fewer.length > 0)
    return {
      compatible: false,
      mismatch: 'FEWER_SEATS',
      reason: `The new key has fewer licenses than the current key: ${fewer.join(', ')}.`,
    };
  return { compatible: true };
}

/**
 * Whether the license expiration task acts on a key now: it expires within `daysBefore` days (or
 * already has). A key without an end never expires.
 */
export function expiryDue(expiresAt: string | null, now: Date, daysBefore: number): boolean {
  if (expiresAt === null) return false;
  return Date.parse(expiresAt) - now.getTime() <= daysBefore * 24 * 60 * 60 * 1000;
}
