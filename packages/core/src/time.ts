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
