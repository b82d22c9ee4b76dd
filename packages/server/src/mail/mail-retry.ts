/**
 * Seconds before a mail is tried again after its `attempt`-th try failed: one minute, doubling, then
 * every hour. There is no last try: a mail server that is down for a day delays the mail a day and
 * loses none, and an hourly try costs little while it stays down.
 */
export function mailRetryDelaySeconds(attempt: number): number {
  return Math.min(3600, 60 * 2 ** Math.max(0, attempt - 1));
}
