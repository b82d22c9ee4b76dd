import { type ErrorCode, refuse } from './errors.js';
import { ok, type Result } from './result.js';

/**
 * An upgrade order's life: the vendor creates it for a dealer, authorizes it (the dealer then has
 * `ORDER_VALIDITY_DAYS` to process it), and it ends processed, expired or cancelled.
 */
export const ORDER_STATES = ['created', 'authorized', 'processed', 'expired', 'cancelled'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/** What the order adds to a key: so many more seats of one kind of one item ("448 more nodes"). */
export interface OrderItem {
  readonly item: string;
  readonly kind: string;
  readonly count: number;
}

/** A dealer or distributor who processes upgrade orders for their customers. */
export interface Dealer {
  readonly id: string;
  /** What the dealer logs in to the portal with. */
  readonly login: string;
  readonly name: string;
  readonly email: string;
  readonly createdAt: string;
}

export interface Order {
  readonly id: string;
  readonly dealerId: string;
  readonly productId: string;
  /** The one license the order may upgrade; null lets it upgrade any key of the product. */
  readonly licenseId: string | null;
  readonly items: readonly OrderItem[];
  readonly state: OrderState;
  readonly createdAt: string;
  readonly authorizedAt: string | null;
  readonly expiresAt: string | null;
  /** When the order left `created` or `authorized`: processed, expired or cancelled. */
  readonly closedAt: string | null;
  /** The update package the order was processed into. */
  readonly updateId: string | null;
  /** Wrong authorization numbers entered since the last right one. */
  readonly failedAttempts: number;
}

/** Wrong authorization numbers an order takes before it is locked (until the vendor unlocks it). */
export const ORDER_AUTHORIZATION_ATTEMPTS = 5;

/** Where each state may go; every other move is refused with the code its state names. */
const NEXT: Readonly<Record<OrderState, readonly OrderState[]>> = {
  created: ['authorized', 'cancelled'],
  authorized: ['processed', 'expired', 'cancelled'],
  processed: [],
  expired: [],
  cancelled: [],
};

const REFUSAL: Readonly<Record<OrderState, ErrorCode>> = {
  created: 'ORDER_NOT_AUTHORIZED',
  authorized: 'ORDER_ALREADY_AUTHORIZED',
  processed: 'ORDER_PROCESSED',
  expired: 'ORDER_EXPIRED',
  cancelled: 'ORDER_CANCELLED',
};

/**
 * The state an order is in at `now`: an authorized order past its deadline is expired even
 * before the expiry job has recorded it, so that nothing depends on when the job runs.
 */
export function orderStateAt(order: Pick<Order, 'state' | 'expiresAt'>, now: Date): OrderState {
  if (
    order.state === 'authorized' &&
    order.expiresAt !== null &&
    Date.parse(order.expiresAt) <= now.getTime()
  )
    return 'expired';
  return order.state;
}

/** What the vendor or a dealer asks of an order; expiry is no one's request but the clock's. */
export type OrderRequest = 'authorized' | 'processed' | 'cancelled';

/** Whether the order may move to `to` at `now`; the refusal names the state that stops it. */
export function decideOrderTransition(
  order: Pick<Order, 'state' | 'expiresAt'>,
  to: OrderRequest,
  now: Date,
): Result<OrderState> {
  const from = orderStateAt(order, now);
  return NEXT[from].includes(to) ? ok(to) : refuse(REFUSAL[from]);
}
