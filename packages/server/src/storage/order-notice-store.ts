import type { OrderReminderKind, OutgoingMail } from '@keyward/core';
import type { Transaction } from 'kysely';
import { queueMail } from '../mail/queue-mail.js';
import { scheduleOrderDeadlines } from '../orders/order-jobs.js';
import type { VendorDb } from './database.js';
import type { VendorDatabase } from './schema.js';

/** The e-mails an order has, each at most once. */
export type OrderNoticeKind = 'authorized' | OrderReminderKind | 'expired' | 'upgrade-file';

/**
 * The order changes that send an e-mail: the change and the mail are committed together or not
 * at all, and each notice goes out once per order (the unique key of `order_notices` decides),
 * however often and in however many processes the step that sends it runs.
 */
export class OrderNoticeStore {
  constructor(private readonly db: VendorDb) {}

  /** created -> authorized with its deadline, its e-mail and its deadlines' jobs; false when no longer created. */
  async authorize(
    orderId: string,
    change: { readonly authorizationHash: string; readonly at: string; readonly expiresAt: Date },
    mail: OutgoingMail,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('orders')
        .set({
          state: 'authorized',
          authorization_hash: change.authorizationHash,
          authorized_at: change.at,
          expires_at: change.expiresAt.toISOString(),
        })
        .where('id', '=', orderId)
        .where('state', '=', 'created')
        .executeTakeFirst();
      if (result.numUpdatedRows !== 1n) return false;
      await noticeOnce(trx, orderId, 'authorized', mail, change.at);
      await scheduleOrderDeadlines(trx, orderId, change.expiresAt);
      return true;
    });
  }

  /** The reminder, if the order still waits at `at` (one processed meanwhile gets none). */
  async remind(orderId: string, kind: OrderNoticeKind, mail: OutgoingMail, at: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('orders')
        .select('id')
        .where('id', '=', orderId)
        .where('state', '=', 'authorized')
        .where('expires_at', '>', at)
        .executeTakeFirst();
      return due !== undefined && noticeOnce(trx, orderId, kind, mail, at);
    });
  }

  /** authorized past its deadline -> expired, with the dealer's e-mail. */
  async expire(orderId: string, mail: OutgoingMail, at: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const expired = await trx
        .updateTable('orders')
        .set({ state: 'expired', closed_at: at })
        .where('id', '=', orderId)
        .where('state', '=', 'authorized')
        .where('expires_at', '<=', at)
        .executeTakeFirst();
      return expired.numUpdatedRows === 1n && noticeOnce(trx, orderId, 'expired', mail, at);
    });
  }

  /** The upgrade file's e-mail, once, with the confirmation credentials it alone shows. */
  async mailUpgradeFile(
    orderId: string,
    confirmation: { readonly login: string; readonly passwordHash: string },
    mail: OutgoingMail,
    at: string,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await noticeOnce(trx, orderId, 'upgrade-file', mail, at))) return false;
      await trx
        .updateTable('orders')
        .set({ confirmation_login: confirmation.login, confirmation_hash: confirmation.passwordHash })
        .where('id', '=', orderId)
        .execute();
      return true;
    });
  }
}

async function noticeOnce(
  trx: Transaction<VendorDatabase>,
  orderId: string,
  kind: OrderNoticeKind,
  mail: OutgoingMail,
  at: string,
): Promise<boolean> {
  const inserted = await trx
    .insertInto('order_notices')
    .values({ order_id: orderId, kind, sent_at: at })
    .onConflict((conflict) => conflict.columns(['order_id', 'kind']).doNothing())
    .executeTakeFirst();
  if (inserted.numInsertedOrUpdatedRows !== 1n) return false;
  await queueMail(trx, mail, at);
  return true;
}
