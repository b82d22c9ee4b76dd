const DAY_MS = 86_400_000;

export function addDays(from: Date, days: number): Date {
  return new Date(from.getTime() + days * DAY_MS);
}

export function daysBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / DAY_MS;
}

/** Parses an ISO-8601 instant; undefined when it is not one. */
export function parseInstant(text: string): Date | undefined {
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** The later of two ISO-8601 UTC instants written by `toISOString` (they compare as text). */
export function laterInstant(a: string, b: string): string {
  return a > b ? a : b;
}

/**
 * The last day (UTC, YYYY-MM-DD) a license ending at `expiresAt` is valid, as the vendor gave it:
 * a license "valid through 2027-06-01" ends at midnight starting 2027-06-02.
 */
export function lastValidDay(expiresAt: string): string {
  const end = Date.parse(expiresAt);
  const midnight = end % DAY_MS === 0;
  return new Date(midnight ? end - DAY_MS : end).toISOString().slice(0, 10);
}

/**
 * An expiry as every Keyward tool prints it: "valid through" the last day it works, the way the
 * vendor gave it (`--expires 2027-03-31` is stored as the midnight that ends that day), a day of
 * UTC; an expiry within a day also says the time it ends, so the two never read alike.
 */
export function expiryWording(expiresAt: string | null): string {
  if (expiresAt === null) return 'perpetual';
  const end = Date.parse(expiresAt);
  const day = lastValidDay(expiresAt);
  if (end % DAY_MS === 0) return `valid through ${day} (UTC)`;
  return `valid through ${day} (ends ${new Date(end).toISOString().slice(11, 16)} UTC)`;
}
