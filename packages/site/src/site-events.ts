import type { RenewalMismatch } from '@keyward/core';

/**
 * What a site server tells its administrator about, each kind switchable: a key about to expire
 * with no renewal, a renewal that cannot replace the key by itself, a key renewed automatically.
 */
export const SITE_EVENT_KINDS = [
  'license.expiring',
  'license.renewal_incompatible',
  'license.renewed',
] as const;
export type SiteEventKind = (typeof SITE_EVENT_KINDS)[number];

/** A new key the event is about, with where it went. */
export interface RenewalFacts {
  readonly serial: string;
  readonly expiresAt: string | null;
  /** The stations and neighbour site servers the new key was propagated to by this event. */
  readonly propagatedTo: { readonly stations: readonly string[]; readonly neighbours: readonly string[] };
}

/**
 * One notification, as mail, webhook and the user hook receive it (the hook on stdin, as JSON).
 * `keyFile` is the new key as a key file, so a hook can save it: automatically updated keys
 * have no file of their own until exported.
 */
export interface SiteEvent {
  readonly id: string;
  readonly kind: SiteEventKind;
  readonly occurredAt: string;
  readonly site: { readonly id: string; readonly name: string };
  /** The key the event is about: the one expiring, or the one a renewal replaces. */
  readonly license: { readonly serial: string; readonly product: string; readonly expiresAt: string | null };
  readonly renewal?: RenewalFacts;
  /** Why a renewal was not propagated (license.renewal_incompatible). */
  readonly reason?: { readonly mismatch: RenewalMismatch; readonly message: string };
  readonly keyFile?: string;
}
