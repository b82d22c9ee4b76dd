import {
  describeOrderItems,
  ORDER_AUTHORIZATION_ATTEMPTS,
  type OrderState,
  orderDaysLeft,
  orderStateAt,
} from '@keyward/core';
import type { OrderRecord } from '../storage/order-store.js';

/** An order as the vendor and the dealer see it at `now`: its state then, and the days left to process it. */
export interface OrderView extends Omit<OrderRecord, 'state'> {
  readonly state: OrderState;
  /** "1 more server and 448 more nodes". */
  readonly description: string;
  /** Days left while the order waits to be processed; null in every other state. */
  readonly daysLeft: number | null;
  readonly locked: boolean;
}

export function viewOrder(order: OrderRecord, now: Date): OrderView {
  const state = orderStateAt(order, now);
  return {
    ...order,
    state,
    description: describeOrderItems(order.items),
    daysLeft:
      state === 'authorized' && order.expiresAt !== null
        ? orderDaysLeft(new Date(order.expiresAt), now)
        : null,
    locked: order.failedAttempts >= ORDER_AUTHORIZATION_ATTEMPTS,
  };
}
