/** Tries of a channel before it is marked failed: a notification is about days, not seconds. */
export const MAX_DELIVERY_ATTEMPTS = 5;

/**
 * Seconds before the next try after the `attempt`-th failed: 1 minute, then 4, 16, 64. A mail
 * server or receiver down for about an hour and a half still gets the notification; one down
 * longer has it marked failed and logged, and the history shows it.
 */
export function deliveryRetryDelaySeconds(attempt: number): number {
  return 60 * 4 ** Math.max(0, attempt - 1);
}
