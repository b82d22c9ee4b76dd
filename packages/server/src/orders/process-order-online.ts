import { ok, type Result, type UpgradeLine, upgradeLines } from '@keyward/core';
import type { ServerContext } from '../context.js';
import { requestingLicense } from '../licensing/update-service.js';
import { mailUpgradeFile } from './order-notices.js';
import { type OrderSubmission, processOrder } from './process-order.js';

export interface OnlineUpgrade {
  readonly orderId: string;
  readonly lines: readonly UpgradeLine[];
  /** The Key Upgrade file, sealed to the key that asked. */
  readonly file: string;
}

/**
 * The online path: the order processed for the key that asks. A key that asks again for an order
 * already processed for it, and has not applied it yet (the answer was lost on its way, or the
 * dealer processed it in the portal), gets the same file: by then it has given the right
 * authorization number, and the file opens only in that key.
 */
export async function processOrderOnline(
  ctx: ServerContext,
  submission: Pick<OrderSubmission, 'orderId' | 'authorizationNumber' | 'request'>,
): Promise<Result<OnlineUpgrade>> {
  const processed = await processOrder(ctx, { ...submission, transport: 'online' });
  if (processed.ok) {
    const { order, lines, file } = processed.value;
    // Online, the key receiving its upgrade is the delivery the e-mail follows.
    await mailUpgradeFile(ctx, order.id);
    return ok({ orderId: order.id, lines, file });
  }
  if (processed.error.code !== 'ORDER_PROCESSED') return processed;
  const order = await ctx.orders.find(submission.orderId);
  const update = order?.updateId == null ? undefined : await ctx.updates.issued(order.updateId);
  const key = await requestingLicense(ctx, submission.request);
  if (
    order === undefined ||
    update === undefined ||
    !key.ok ||
    update.licenseId !== key.value.license.id ||
    update.fromSequence !== submission.request.sequence
  )
    return processed;
  return ok({
    orderId: order.id,
    lines: upgradeLines(order.items, submission.request.contents),
    file: update.file,
  });
}
