import {
  normalizeConfirmationSecret,
  ok,
  orderSecretMatches,
  type Result,
  refuse,
  upgradeFileName,
} from '@keyward/core';
import type { ServerContext } from '../context.js';
import { type OrderView, viewOrder } from './order-view.js';

export interface ConfirmedOrder {
  readonly order: OrderView;
  readonly serial: string;
  /** The Key Upgrade file again, for a download that failed or a copy that was damaged. */
  readonly file: string;
  readonly fileName: string;
}

/** The portal's confirmation look-up: a processed order, opened by the credentials its e-mail gave. */
export async function lookUpConfirmation(
  ctx: ServerContext,
  login: string,
  password: string,
): Promise<Result<ConfirmedOrder>> {
  const processed = await ctx.orders.processedByConfirmation(normalizeConfirmationSecret(login));
  if (
    processed === undefined ||
    !orderSecretMatches(normalizeConfirmationSecret(password), processed.confirmationHash)
  )
    return refuse('LOGIN_FAILED');
  return ok({
    order: viewOrder(processed.order, ctx.now()),
    serial: processed.serial,
    file: processed.file,
    fileName: upgradeFileName(processed.serial),
  });
}
