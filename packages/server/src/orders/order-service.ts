import {
  type AuthorizationNumber,
  type Dealer,
  decideOrderTransition,
  generateAuthorizationNumber,
  hashOrderSecret,
  newId,
  type Order,
  type OrderItem,
  type OrderState,
  ok,
  orderAuthorizedMail,
  orderExpiresAt,
  type Result,
  readOrderItems,
  refuse,
} from '@keyward/core';
import type { ServerContext } from '../context.js';
import { findLicenseByRef } from '../licensing/license-ref.js';
import type { OrderRecord } from '../storage/order-store.js';
import { type OrderView, viewOrder } from './order-view.js';

export interface NewOrder {
  /** The dealer's id or login. */
  readonly dealer: string;
  /** The product's id or code. */
  readonly product: string;
  /** The one license the order may upgrade (id or serial); any key of the product when absent. */
  readonly license?: string;
  readonly items: readonly OrderItem[];
}

/** An order and its dealer: what each e-mail about the order is composed from. */
export interface OrderWithDealer {
  readonly order: OrderRecord;
  readonly dealer: Dealer;
}

async function found(ctx: ServerContext, id: string): Promise<Result<OrderRecord>> {
  const order = await ctx.orders.find(id);
  return order === undefined ? refuse('ORDER_NOT_FOUND') : ok(order);
}

async function withDealer(ctx: ServerContext, order: OrderRecord): Promise<OrderWithDealer> {
  const dealer = await ctx.dealers.find(order.dealerId);
  if (dealer === undefined) throw new Error(`Order ${order.id} names a dealer that does not exist`);
  return { order, dealer };
}

/**
 * Why a conditional change of state did nothing: the state the order is in now refuses it
 * (another request changed it first).
 */
async function refusalNow(ctx: ServerContext, id: string, to: 'authorized' | 'cancelled') {
  const now = await found(ctx, id);
  if (!now.ok) return now;
  const decided = decideOrderTransition(now.value, to, ctx.now());
  return decided.ok ? refuse('INTERNAL_ERROR') : decided;
}

export async function createOrder(ctx: ServerContext, input: NewOrder): Promise<Result<OrderView>> {
  const items = readOrderItems(input.items);
  if (!items.ok) return items;
  const dealer = await ctx.dealers.find(input.dealer);
  if (dealer === undefined) return refuse('DEALER_NOT_FOUND');
  const product = await ctx.catalogue.findProduct(input.product);
  if (product === undefined) return refuse('PRODUCT_NOT_FOUND');
  let licenseId: string | null = null;
  if (input.license !== undefined) {
    const license = await findLicenseByRef(ctx, input.license);
    if (!license.ok) return license;
    if (license.value.productId !== product.id)
      return refuse(
        'LICENSE_WRONG_PRODUCT',
        `License ${license.value.serial} is not a license of ${product.code}.`,
      );
    licenseId = license.value.id;
  }
  const now = ctx.now();
  const order: Order = {
    id: newId('ord', now.getTime()),
    dealerId: dealer.id,
    productId: product.id,
    licenseId,
    items: items.value,
    state: 'created',
    createdAt: now.toISOString(),
    authorizedAt: null,
    expiresAt: null,
    closedAt: null,
    updateId: null,
    failedAttempts: 0,
  };
  await ctx.orders.create(order);
  return showOrder(ctx, order.id);
}

/**
 * Authorizes an order: its deadline starts, and its authorization number is made. The number is
 * in this answer only (the order keeps its hash), for the e-mail to the dealer.
 */
export async function authorizeOrder(
  ctx: ServerContext,
  id: string,
): Promise<Result<OrderWithDealer & { authorizationNumber: AuthorizationNumber }>> {
  const order = await found(ctx, id);
  if (!order.ok) return order;
  const now = ctx.now();
  const decided = decideOrderTransition(order.value, 'authorized', now);
  if (!decided.ok) return decided;
  const authorizationNumber = generateAuthorizationNumber();
  const expiresAt = orderExpiresAt(now);
  const dealer = await withDealer(ctx, order.value);
  const mail = orderAuthorizedMail({
    dealer: dealer.dealer,
    order: { id, productName: order.value.productName, items: order.value.items },
    authorizationNumber,
    expiresAt: expiresAt.toISOString(),
    portalUrl: ctx.portalUrl(),
  });
  // The state, the e-mail and the deadlines' jobs together: all of them, or none.
  const moved = await ctx.orderNotices.authorize(
    id,
    { authorizationHash: hashOrderSecret(authorizationNumber), at: now.toISOString(), expiresAt },
    mail,
  );
  if (!moved) return refusalNow(ctx, id, 'authorized');
  const authorized = await found(ctx, id);
  if (!authorized.ok) return authorized;
  return ok({ ...(await withDealer(ctx, authorized.value)), authorizationNumber });
}

export async function cancelOrder(ctx: ServerContext, id: string): Promise<Result<OrderView>> {
  const order = await found(ctx, id);
  if (!order.ok) return order;
  const decided = decideOrderTransition(order.value, 'cancelled', ctx.now());
  if (!decided.ok) return decided;
  if (!(await ctx.orders.cancel(id, ctx.now().toISOString()))) return refusalNow(ctx, id, 'cancelled');
  return showOrder(ctx, id);
}

/** The vendor lets an order locked by wrong authorization numbers be tried again. */
export async function unlockOrder(ctx: ServerContext, id: string): Promise<Result<OrderView>> {
  const order = await found(ctx, id);
  if (!order.ok) return order;
  await ctx.orders.clearAttempts(id);
  return showOrder(ctx, id);
}

/** One order; with `dealerId`, only if it is that dealer's (another's is not found, not forbidden). */
export async function showOrder(
  ctx: ServerContext,
  id: string,
  dealerId?: string,
): Promise<Result<OrderView>> {
  const order = await found(ctx, id);
  if (!order.ok || (dealerId !== undefined && order.value.dealerId !== dealerId))
    return refuse('ORDER_NOT_FOUND');
  return ok(viewOrder(order.value, ctx.now()));
}

/** Orders, newest last; a state filter reads the state at this moment (an order past its deadline is expired). */
export async function listOrders(
  ctx: ServerContext,
  filter: { readonly dealerId?: string; readonly state?: OrderState } = {},
): Promise<OrderView[]> {
  const now = ctx.now();
  const orders = (await ctx.orders.list({ dealerId: filter.dealerId })).map((order) => viewOrder(order, now));
  return filter.state === undefined ? orders : orders.filter((order) => order.state === filter.state);
}
