/**
 * Who may call which part of the vendor's API. A token carries one scope; every operation of the
 * admin API names the access it needs, and an operation that names none is refused to every token.
 */
export const TOKEN_SCOPES = ['admin', 'support', 'read', 'dealer'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/**
 * - `read`: look at the catalogue, licenses, orders and deliveries; change nothing.
 * - `support`: what the support desk does to one license (release, transfers, suspend, unlock).
 * - `orders`: a dealer's own orders; the vendor's staff see every dealer's.
 * - `admin`: everything else, tokens and webhooks included.
 */
export const ACCESS_LEVELS = ['read', 'support', 'orders', 'admin'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

const GRANTED: Readonly<Record<AccessLevel, readonly TokenScope[]>> = {
  read: ['admin', 'support', 'read'],
  support: ['admin', 'support'],
  orders: ['admin', 'dealer'],
  admin: ['admin'],
};

/** The token scopes an operation needing `access` accepts, most powerful first. */
export function scopesGranted(access: AccessLevel): readonly TokenScope[] {
  return GRANTED[access];
}

export function scopePermits(scope: TokenScope, access: AccessLevel | undefined): boolean {
  return access !== undefined && GRANTED[access].includes(scope);
}

const TOKEN_PATTERN = /^kw_(admin|support|read|dealer)_[A-Za-z0-9_-]{43}$/;

/** The scope a token names in its prefix (`kw_read_...`), or undefined for anything else. */
export function scopeOfToken(token: string): TokenScope | undefined {
  const match = TOKEN_PATTERN.exec(token);
  return match === null ? undefined : (match[1] as TokenScope);
}

export function isTokenScope(text: string): text is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(text);
}

/** An API token as the vendor sees it: never the token itself, which is shown once at creation. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly name: string;
  readonly scope: TokenScope;
  /** The dealer a dealer token speaks for; null for the vendor's own tokens. */
  readonly dealerId: string | null;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

export type TokenState = 'active' | 'expired' | 'revoked';

/** Whether a token still works at `now`: revocation wins over expiry; an expiry is exclusive. */
export function tokenState(token: Pick<ApiTokenRecord, 'expiresAt' | 'revokedAt'>, now: Date): TokenState {
  if (token.revokedAt !== null) return 'revoked';
  return token.expiresAt !== null && token.expiresAt <= now.toISOString() ? 'expired' : 'active';
}
