import type { ContainerContents } from './contents.js';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';
import { addDays } from './time.js';

/** How a site server keeps seats: heartbeats and the longest offline borrowing it allows. */
export interface SeatSettings {
  readonly heartbeatSeconds: number;
  /** Heartbeats a lease may miss before its seat is released. */
  readonly missedHeartbeats: number;
  readonly maxBorrowDays: number;
}

/** Every seat a license holds, as `item`/`seat` with its count: the limits leases are counted against. */
export function seatCounts(
  contents: Pick<ContainerContents, 'items'>,
): Array<{ item: string; seat: string; count: number }> {
  return Object.entries(contents.items).flatMap(([item, seats]) =>
    Object.entries(seats).map(([seat, count]) => ({ item, seat, count })),
  );
}

/**
 * Until when a lease holds: the heartbeat deadline, or the end of the borrowing; never past the
 * license's own expiry, since a site cannot lend more than it holds.
 */
export function leaseDeadline(
  now: Date,
  settings: SeatSettings,
  borrowDays: number | undefined,
  licenseExpiresAt: string | null,
): Result<Date> {
  if (borrowDays !== undefined && borrowDays > settings.maxBorrowDays) {
    return refuse(
      'BORROW_TOO_LONG',
      `A seat can be borrowed for at most ${settings.maxBorrowDays} day(s) from this site server.`,
      { maxBorrowDays: settings.maxBorrowDays },
    );
  }
  const wanted =
    borrowDays === undefined
      ? new Date(now.getTime() + settings.heartbeatSeconds * settings.missedHeartbeats * 1000)
      : addDays(now, borrowDays);
  if (licenseExpiresAt === null) return ok(wanted);
  const expiry = new Date(licenseExpiresAt);
  if (expiry.getTime() <= now.getTime()) return refuse('SITE_LICENSE_EXPIRED');
  return ok(wanted.getTime() < expiry.getTime() ? wanted : expiry);
}
