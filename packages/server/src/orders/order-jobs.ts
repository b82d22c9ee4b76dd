import { ORDER_REMINDERS, type OrderReminderKind, orderReminderMoments } from '@keyward/core';
import type { Transaction } from 'kysely';
import type { ServerContext } from '../context.js';
import { enqueueJob, type Job } from '../jobs/job-queue.js';
import type { VendorDatabase } from '../storage/schema.js';
import { expireOrder, remindOrder } from './order-notices.js';

export const ORDER_REMINDER_JOB = 'order.remind';
export const ORDER_EXPIRY_JOB = 'order.expire';

/**
 * The reminders and the expiry of an order just authorized, as durable jobs at their moments: a
 * server that was down at a moment runs the job when it is back. Job ids name the order and the
 * step, so each is queued once.
 */
export async function scheduleOrderDeadlines(
  trx: Transaction<VendorDatabase>,
  orderId: string,
  expiresAt: Date,
): Promise<void> {
  for (const { kind, at } of orderReminderMoments(expiresAt)) {
    await enqueueJob(trx, {
      id: `job_${orderId}_${kind}`,
      kind: ORDER_REMINDER_JOB,
      payload: { orderId, reminder: kind },
      runAt: at,
      maxAttempts: 20,
    });
  }
  await enqueueJob(trx, {
    id: `job_${orderId}_expiry`,
    kind: ORDER_EXPIRY_JOB,
    payload: { orderId },
    runAt: expiresAt,
    maxAttempts: 20,
  });
}

const isReminder = (value: unknown): value is OrderReminderKind =>
  ORDER_REMINDERS.some((reminder) => reminder.kind === value);

export function remindOrderJob(ctx: ServerContext) {
  return async (job: Job): Promise<void> => {
    const { orderId, reminder } = job.payload as { orderId?: unknown; reminder?: unknown };
    if (typeof orderId === 'string' && isReminder(reminder)) await remindOrder(ctx, orderId, reminder);
  };
}

export function expireOrderJob(ctx: ServerContext) {
  return async (job: Job): Promise<void> => {
    const { orderId } = job.payload as { orderId?: unknown };
    if (typeof orderId === 'string') await expireOrder(ctx, orderId);
  };
}
