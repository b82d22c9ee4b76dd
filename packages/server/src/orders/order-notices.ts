import {
  CONTAINER_FORMAT,
  type Dealer,
  dueOrderReminder,
  generateConfirmationCredentials,
  hashOrderSecret,
  type OrderReminderKind,
  type OutgoingMail,
  orderExpiredMail,
  orderReminderMail,
  upgradeFileMail,
} from '@keyward/core';
import type { Transaction } from 'kysely';
import type { ServerContext } from '../context.js';
import { queueMail } from '../mail/queue-mail.js';
import type { OrderRecord } from '../storage/order-store.js';
import type { VendorDatabase } from '../storage/schema.js';

/** The e-mails an order has, each at most once. */
export type OrderNoticeKind = 'authorized' | OrderReminderKind | 'expired' | 'upgrade-file';

/**
 * Queues `mail` as the order's notice of this kind, in the caller's transaction, unless the order
 * had it already: each notice goes out once, however often (and in however many processes) the
 * step that sends it runs. False when it had.
 */
export async function noticeOnce(
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

const mailedOrder = (order: OrderRecord) => ({
  id: order.id,
  productName: order.productName,
  items: order.items,
});

async function dealerOf(ctx: ServerContext, order: OrderRecord): Promise<Dealer> {
  const dealer = await ctx.dealers.find(order.dealerId);
  if (dealer === undefined) throw new Error(`Order ${order.id} names a dealer that does not exist`);
  return dealer;
}

/** The reminder `kind`, if it is the one due now and the order still waits: "Your order will expire in one week". */
export async function remindOrder(
  ctx: ServerContext,
  orderId: string,
  kind: OrderReminderKind,
): Promise<boolean> {
  const order = await ctx.orders.find(orderId);
  // A server down over both moments sends the one-day reminder only, not a stale one-week one.
  if (
    order === undefined ||
    order.expiresAt === null ||
    dueOrderReminder(new Date(order.expiresAt), ctx.now()) !== kind
  )
    return false;
  const dealer = await dealerOf(ctx, order);
  const at = ctx.now().toISOString();
  const mail = orderReminderMail({
    dealer,
    order: mailedOrder(order),
    reminder: kind,
    expiresAt: order.expiresAt,
    portalUrl: ctx.portalUrl(),
  });
  return ctx.db.transaction().execute(async (trx) => {
    // Read again inside the transaction: an order processed meanwhile gets no reminder.
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

/** An authorized order past its deadline becomes expired, and its dealer is told, together. */
export async function expireOrder(ctx: ServerContext, orderId: string): Promise<boolean> {
  const order = await ctx.orders.find(orderId);
  if (order === undefined) return false;
  const dealer = await dealerOf(ctx, order);
  const at = ctx.now().toISOString();
  const mail = orderExpiredMail({ dealer, order: mailedOrder(order) });
  return ctx.db.transaction().execute(async (trx) => {
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

/**
 * The e-mail that follows the upgrade file's first delivery (the dealer's download, or the
 * customer's key online): a copy of the file, the key and upgrade info, and confirmation
 * credentials to look the order up again. The credentials are made here, shown only in this
 * e-mail, and replace any made before.
 */
export async function mailUpgradeFile(ctx: ServerContext, orderId: string): Promise<boolean> {
  const order = await ctx.orders.find(orderId);
  if (order === undefined || order.updateId === null) return false;
  const update = await ctx.updates.issued(order.updateId);
  if (update === undefined) return false;
  const dealer = await dealerOf(ctx, order);
  const at = ctx.now().toISOString();
  const confirmation = generateConfirmationCredentials();
  const mail = upgradeFileMail({
    dealer,
    order: mailedOrder(order),
    serial: update.serial,
    formatVersion: CONTAINER_FORMAT,
    lines: order.upgradeLines ?? [],
    confirmation,
    file: update.file,
    portalUrl: ctx.portalUrl(),
  });
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await noticeOnce(trx, orderId, 'upgrade-file', mail, at))) return false;
    await trx
      .updateTable('orders')
      .set({
        confirmation_login: confirmation.login,
        confirmation_hash: hashOrderSecret(confirmation.password),
      })
      .where('id', '=', orderId)
      .execute();
    return true;
  });
}
