import {
  CONTAINER_FORMAT,
  type ConfirmationCredentials,
  checkStatedFrom,
  type Dealer,
  decideOrderTransition,
  err,
  generateConfirmationCredentials,
  hashOrderSecret,
  type KeywardError,
  keywardError,
  ORDER_AUTHORIZATION_ATTEMPTS,
  ok,
  orderOperations,
  orderSecretMatches,
  parseAuthorizationNumber,
  type Result,
  refuse,
  type UpdateRequest,
  type UpgradeLine,
  upgradeFileName,
  upgradeLines,
} from '@keyward/core';
import type { ServerContext } from '../context.js';
import { issueFromRequest, requestingLicense } from '../licensing/update-service.js';
import type { OrderRecord } from '../storage/order-store.js';
import type { UpdateSummary } from '../storage/update-store.js';

export interface OrderSubmission {
  readonly orderId: string;
  readonly authorizationNumber: string;
  /** The customer's key information: a request file opened by `openRequestFile`, or the container's online request. */
  readonly request: UpdateRequest;
  /** The portal's logged-in dealer. The online path has none: the authorization number is its credential. */
  readonly dealerId?: string;
  /** The From counts the dealer entered (`cad.servers` -> 1); online, the key's own contents are the From. */
  readonly statedFrom?: Readonly<Record<string, number>>;
  readonly transport: 'file' | 'online';
}

/** A processed order: everything the download page and the upgrade file e-mail show. */
export interface ProcessedOrder {
  readonly order: OrderRecord;
  readonly dealer: Dealer;
  readonly serial: string;
  /** The key's format version, for the e-mail's key info. */
  readonly formatVersion: number;
  readonly lines: readonly UpgradeLine[];
  readonly update: UpdateSummary;
  /** The Key Upgrade file. */
  readonly file: string;
  readonly fileName: string;
  /** Shown once (the order keeps the password's hash): for the e-mail to the dealer. */
  readonly confirmation: ConfirmationCredentials;
}

/**
 * The authorization number, after the lockout: a mistyped number (its check character is wrong)
 * is not a guess and is not counted; a wrong one is, and the last allowed one locks the order.
 */
async function checkAuthorization(
  ctx: ServerContext,
  order: OrderRecord,
  given: string,
): Promise<KeywardError | undefined> {
  const stored = await ctx.orders.authorizationHashOf(order.id);
  if (stored === undefined) {
    // Only an authorized order has a number: its state says why this one has none.
    const state = decideOrderTransition(order, 'processed', ctx.now());
    return state.ok ? keywardError('INTERNAL_ERROR') : state.error;
  }
  if (order.failedAttempts >= ORDER_AUTHORIZATION_ATTEMPTS) return keywardError('ORDER_LOCKED');
  const number = parseAuthorizationNumber(given);
  if (!number.ok) return number.error;
  const failed = await ctx.orders.takeAttempt(order.id, ORDER_AUTHORIZATION_ATTEMPTS);
  if (failed === undefined) return keywardError('ORDER_LOCKED');
  if (orderSecretMatches(number.value, stored)) {
    await ctx.orders.clearAttempts(order.id);
    return undefined;
  }
  const left = ORDER_AUTHORIZATION_ATTEMPTS - failed;
  if (left === 0)
    return keywardError(
      'ORDER_LOCKED',
      'The authorization number is wrong, and that was the last try: the order is locked; ask the vendor to unlock it.',
    );
  return keywardError(
    'AUTHORIZATION_INVALID',
    `The order authorization number is wrong: ${left} more ${left === 1 ? 'try' : 'tries'} before the order is locked.`,
    { attemptsLeft: left },
  );
}

/**
 * The portal's first step: the dealer's order, its authorization number (counted against the
 * lockout like any try) and its state, before the key information is asked for.
 */
export async function checkOrderAuthorization(
  ctx: ServerContext,
  orderId: string,
  dealerId: string,
  authorizationNumber: string,
): Promise<Result<OrderRecord>> {
  const order = await ctx.orders.find(orderId);
  if (order === undefined || order.dealerId !== dealerId) return refuse('ORDER_NOT_FOUND');
  const authorization = await checkAuthorization(ctx, order, authorizationNumber);
  if (authorization !== undefined) return { ok: false, error: authorization };
  const state = decideOrderTransition(order, 'processed', ctx.now());
  return state.ok ? ok(order) : state;
}

/**
 * Processes an order into a Key Upgrade file, in this order: the key's request must come from the
 * container its serial is activated on; the order must be the dealer's; then the lockout and the
 * authorization number; the order's state (authorized, before its deadline); the key must be of
 * the order's product (and license); the From check; then the update is issued and the order
 * marked processed in one transaction, which only one of racing submissions wins.
 */
export async function processOrder(
  ctx: ServerContext,
  submission: OrderSubmission,
): Promise<Result<ProcessedOrder>> {
  const key = await requestingLicense(ctx, submission.request);
  if (!key.ok) return key;
  const order = await ctx.orders.find(submission.orderId);
  if (order === undefined || (submission.dealerId !== undefined && order.dealerId !== submission.dealerId))
    return refuse('ORDER_NOT_FOUND');
  const authorization = await checkAuthorization(ctx, order, submission.authorizationNumber);
  if (authorization !== undefined) return err(authorization);
  const state = decideOrderTransition(order, 'processed', ctx.now());
  if (!state.ok) return state;
  if (
    key.value.productCode !== order.productCode ||
    (order.licenseId !== null && key.value.license.id !== order.licenseId)
  ) {
    const wanted =
      order.licenseSerial === null ? `a key of ${order.productCode}` : `key ${order.licenseSerial}`;
    return refuse(
      'ORDER_WRONG_KEY',
      `This order is for ${wanted}; this key is ${key.value.license.serial} of ${key.value.productCode}.`,
    );
  }
  const computed = upgradeLines(order.items, submission.request.contents);
  const lines =
    submission.statedFrom === undefined ? ok(computed) : checkStatedFrom(computed, submission.statedFrom);
  if (!lines.ok) return lines;
  return issueOrder(ctx, order, submission, lines.value);
}

async function issueOrder(
  ctx: ServerContext,
  order: OrderRecord,
  submission: OrderSubmission,
  lines: readonly UpgradeLine[],
): Promise<Result<ProcessedOrder>> {
  const confirmation = generateConfirmationCredentials();
  const issued = await issueFromRequest(ctx, submission.request, {
    operations: orderOperations(order.items),
    orderRef: order.id,
    transport: submission.transport,
    claim: async (trx, updateId) => {
      const mark = {
        updateId,
        lines,
        confirmationLogin: confirmation.login,
        confirmationHash: hashOrderSecret(confirmation.password),
      };
      const marked = await ctx.orders.markProcessed(trx, order.id, mark, ctx.now().toISOString());
      if (marked) return ok(undefined);
      // Another submission won the race, or the order was cancelled or reached its deadline meanwhile.
      const now = await ctx.orders.stateIn(trx, order.id);
      const decided = decideOrderTransition(now ?? order, 'processed', ctx.now());
      return decided.ok ? refuse('ORDER_PROCESSED') : decided;
    },
  });
  if (!issued.ok) return issued;
  const processed = await ctx.orders.find(order.id);
  const dealer = await ctx.dealers.find(order.dealerId);
  if (processed === undefined || dealer === undefined)
    throw new Error(`Order ${order.id} vanished as it was processed`);
  const serial = submission.request.serial;
  return ok({
    order: processed,
    dealer,
    serial,
    formatVersion: CONTAINER_FORMAT,
    lines,
    update: issued.value.update,
    file: issued.value.file,
    fileName: upgradeFileName(serial),
    confirmation,
  });
}
