import { CONTENT_LIMITS, type ContainerContents, NAME_PATTERN } from './contents.js';
import { refuse } from './errors.js';
import type { OrderItem } from './orders.js';
import { ok, type Result } from './result.js';
import type { UpdateOperation } from './update-operations.js';

/** The most lines one order holds. */
export const MAX_ORDER_ITEMS = 32;

/** One line of an upgrade: the seats a key holds of one kind (From) and will hold (To). */
export interface UpgradeLine {
  readonly item: string;
  readonly kind: string;
  readonly from: number;
  readonly to: number;
}

/** The From field of a line as the portal names it: `cad.servers`. */
export const lineKey = (line: Pick<OrderItem, 'item' | 'kind'>) => `${line.item}.${line.kind}`;

/** An order's items: at least one, each adding at least one seat, no kind of an item twice. */
export function readOrderItems(items: readonly OrderItem[]): Result<OrderItem[]> {
  if (items.length === 0) return refuse('VALIDATION_FAILED', 'An order adds at least one seat.');
  if (items.length > MAX_ORDER_ITEMS)
    return refuse('VALIDATION_FAILED', `An order holds at most ${MAX_ORDER_ITEMS} items.`);
  const seen = new Set<string>();
  for (const line of items) {
    const key = lineKey(line);
    if (!NAME_PATTERN.test(line.item) || !NAME_PATTERN.test(line.kind))
      return refuse(
        'VALIDATION_FAILED',
        `"${key}" is not an item and kind (lower-case names, e.g. cad.nodes).`,
      );
    if (!Number.isInteger(line.count) || line.count < 1 || line.count > CONTENT_LIMITS.seats)
      return refuse('VALIDATION_FAILED', `${key}: an order adds from 1 to ${CONTENT_LIMITS.seats} seats.`);
    if (seen.has(key)) return refuse('VALIDATION_FAILED', `${key} is in the order twice.`);
    seen.add(key);
  }
  return ok(items.map(({ item, kind, count }) => ({ item, kind, count })));
}

/** The update operations an order is processed into: one `add-seats` per line. */
export function orderOperations(items: readonly OrderItem[]): UpdateOperation[] {
  return items.map(({ item, kind, count }) => ({ op: 'add-seats', item, kind, count }));
}

/** "1 more server and 448 more nodes": what the order requests, as its e-mails say it. */
export function describeOrderItems(items: readonly OrderItem[]): string {
  const parts = items.map(
    ({ kind, count }) => `${count} more ${count === 1 ? kind.replace(/s$/, '') : kind}`,
  );
  return parts.length < 2 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** From the key's contents to what it holds once the order is applied. */
export function upgradeLines(items: readonly OrderItem[], contents: ContainerContents): UpgradeLine[] {
  return items.map(({ item, kind, count }) => {
    const from = contents.items[item]?.[kind] ?? 0;
    return { item, kind, from, to: from + count };
  });
}

/** "From 1 to 2 concurrent servers"; the item is named when the upgrade spans several. */
export function upgradeLineText(line: UpgradeLine, lines: readonly UpgradeLine[]): string {
  const several = new Set(lines.map(({ item }) => item)).size > 1;
  return `From ${line.from} to ${line.to} concurrent ${line.kind}${several ? ` of ${line.item}` : ''}`;
}

/**
 * The dealer's From check: the counts they entered (`cad.servers` -> 1) must be what the key
 * holds, which proves the key information belongs to the key they mean to upgrade. A mismatch
 * names every field that differs, for the portal to show beside it.
 */
export function checkStatedFrom(
  lines: readonly UpgradeLine[],
  stated: Readonly<Record<string, number>>,
): Result<UpgradeLine[]> {
  const fields: string[] = [];
  const differences: string[] = [];
  for (const line of lines) {
    const key = lineKey(line);
    const given = stated[key];
    if (given === line.from) continue;
    fields.push(key);
    differences.push(
      given === undefined
        ? `${key}: enter the number the key holds now`
        : `${key}: you entered ${given}, the key holds ${line.from}`,
    );
  }
  if (fields.length === 0) return ok([...lines]);
  return refuse(
    'FROM_MISMATCH',
    `The current counts do not match the key information: ${differences.join('; ')}. Check that this is the key the order is for.`,
    { fields, differences },
  );
}
