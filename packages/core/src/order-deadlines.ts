import { addDays } from './time.js';

/** Days a dealer has to process an order once it is authorized. */
export const ORDER_VALIDITY_DAYS = 14;

/** The reminders sent while an authorized order waits, each so many days before it expires. */
export const ORDER_REMINDERS = [
  { kind: 'one-week', daysBefore: 7 },
  { kind: 'one-day', daysBefore: 1 },
] as const;
export type OrderReminderKind = (typeof ORDER_REMINDERS)[number]['kind'];

const DAY_MS = 86_400_000;

export function orderExpiresAt(authorizedAt: Date): Date {
  return addDays(authorizedAt, ORDER_VALIDITY_DAYS);
}

/** When each reminder of an order expiring at `expiresAt` is due, earliest first. */
export function orderReminderMoments(expiresAt: Date): Array<{ kind: OrderReminderKind; at: Date }> {
  return ORDER_REMINDERS.map(({ kind, daysBefore }) => ({ kind, at: addDays(expiresAt, -daysBefore) }));
}

/**
 * The reminder an order should have had by `now`: the latest one whose moment has passed, so a
 * server that was down over both moments sends the one-day reminder, not a stale one-week one.
 * Undefined before the first reminder and once the order has expired.
 */
export function dueOrderReminder(expiresAt: Date, now: Date): OrderReminderKind | undefined {
  if (now.getTime() >= expiresAt.getTime()) return undefined;
  return orderReminderMoments(expiresAt)
    .filter(({ at }) => at.getTime() <= now.getTime())
    .at(-1)?.kind;
}

/** Whole days left to process the order, counting a started day as one; 0 once expired. */
export function orderDaysLeft(expiresAt: Date, now: Date): number {
  return Math.max(0, Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS));
}
