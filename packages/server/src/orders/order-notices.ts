import {
  CONTAINER_FORMAT,
  type Dealer,
  dueOrderReminder,
  generateConfirmationCredentials,
  hashOrderSecret,
  type OrderReminderKind,
  orderExpiredMail,
  orderReminderMail,
  upgradeFileMail,
} from '@keyward/core';
import type { ServerContext } from '../context.js';
import type { OrderRecord } from '../storage/order-store.js';

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
  return ctx.orderNotices.remind(orderId, kind, mail, at);
}

/** An authorized order past its deadline becomes expired, and its dealer is told, together. */
export async function expireOrder(ctx: ServerContext, orderId: string): Promise<boolean> {
  const order = await ctx.orders.find(orderId);
  if (order === undefined) return false;
  const dealer = await dealerOf(ctx, order);
  const at = ctx.now().toISOString();
  const mail = orderExpiredMail({ dealer, order: mailedOrder(order) });
  return ctx.orderNotices.expire(orderId, mail, at);
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
  const credentials = { login: confirmation.login, passwordHash: hashOrderSecret(confirmation.password) };
  return ctx.orderNotices.mailUpgradeFile(orderId, credentials, mail, at);
}
