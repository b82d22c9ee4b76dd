import { lineKey, type OrderItem, type UpgradeLine, upgradeLineText } from '@keyward/core';
import type { OrderView } from '../orders/order-view.js';

const STATE_LABELS: Readonly<Record<OrderView['state'], string>> = {
  created: 'Waiting for authorization',
  authorized: 'Ready to process',
  processed: 'Processed',
  expired: 'Expired',
  cancelled: 'Cancelled',
};

/** An order as the portal's pages show it. */
export function orderRow(order: OrderView) {
  const lines = order.upgradeLines ?? [];
  return {
    id: order.id,
    dealer: order.dealerLogin,
    product: order.productName,
    adds: order.description,
    state: order.state,
    stateLabel: STATE_LABELS[order.state],
    daysLeft: order.daysLeft,
    expiresText:
      order.expiresAt === null
        ? 'not yet authorized'
        : `${order.expiresAt.slice(0, 10)} (${order.daysLeft ?? 0} days left)`,
    serial: order.licenseSerial,
    processedAt: order.state === 'processed' ? order.closedAt?.slice(0, 16).replace('T', ' ') : null,
    changes: lines.map((line) => upgradeLineText(line, lines)),
  };
}

/** The rows of the From fields: one per kind of seat the order adds. */
export function countLines(items: readonly OrderItem[]) {
  return items.map(({ item, kind, count }) => ({ item, kind, adds: count, label: `${item}: ${kind}` }));
}

/** The From counts a form sent (`from.cad.servers` -> 1), and a sentence for each field that is not a count. */
export function readFromFields(
  body: Readonly<Record<string, unknown>>,
  items: readonly OrderItem[],
): { from: Record<string, string>; stated: Record<string, number>; errors: Record<string, string> } {
  const from: Record<string, string> = {};
  const stated: Record<string, number> = {};
  const errors: Record<string, string> = {};
  for (const line of items) {
    const name = `from.${lineKey(line)}`;
    const text = typeof body[name] === 'string' ? (body[name] as string).trim() : '';
    from[name] = text;
    if (!/^\d{1,9}$/.test(text))
      errors[name] = `Enter the number of ${line.kind} of ${line.item} the key holds now.`;
    else stated[lineKey(line)] = Number(text);
  }
  return { from, stated, errors };
}

/** The From check's refusal, each difference beside the field it concerns. */
export function fromMismatchFields(details: unknown, message: string): Record<string, string> {
  const { fields, differences } = (details ?? {}) as { fields?: string[]; differences?: string[] };
  const errors: Record<string, string> = {};
  (fields ?? []).forEach((key, index) => {
    errors[`from.${key}`] =
      `The key information does not match: ${differences?.[index] ?? message}. Is this the key the order is for?`;
  });
  return errors;
}

export function changeLines(lines: readonly UpgradeLine[]) {
  return lines.map((line) => ({ label: `${line.item}: ${line.kind}`, text: upgradeLineText(line, lines) }));
}
