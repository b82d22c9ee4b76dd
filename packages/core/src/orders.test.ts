import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dueOrderReminder,
  ORDER_REMINDERS,
  orderDaysLeft,
  orderExpiresAt,
  orderReminderMoments,
} from './order-deadlines.js';
import { decideOrderTransition, type OrderRequest, type OrderState, orderStateAt } from './orders.js';

const authorizedAt = new Date('2026-03-01T10:00:00.000Z');
const expiresAt = orderExpiresAt(authorizedAt);
const at = (iso: string) => new Date(iso);

describe('order states', () => {
  const rows: ReadonlyArray<[OrderState, OrderRequest, string]> = [
    ['created', 'authorized', 'authorized'],
    ['created', 'cancelled', 'cancelled'],
    ['created', 'processed', 'ORDER_NOT_AUTHORIZED'],
    ['authorized', 'processed', 'processed'],
    ['authorized', 'cancelled', 'cancelled'],
    ['authorized', 'authorized', 'ORDER_ALREADY_AUTHORIZED'],
    ['processed', 'processed', 'ORDER_PROCESSED'],
    ['processed', 'cancelled', 'ORDER_PROCESSED'],
    ['expired', 'processed', 'ORDER_EXPIRED'],
    ['expired', 'authorized', 'ORDER_EXPIRED'],
    ['cancelled', 'authorized', 'ORDER_CANCELLED'],
    ['cancelled', 'processed', 'ORDER_CANCELLED'],
  ];
  for (const [state, to, expected] of rows) {
    it(`${state} -> ${to}: ${expected}`, () => {
      const order = { state, expiresAt: state === 'created' ? null : expiresAt.toISOString() };
      const decided = decideOrderTransition(order, to, authorizedAt);
      assert.equal(decided.ok ? decided.value : decided.error.code, expected);
    });
  }

  it('an authorized order past its deadline is expired before the job records it', () => {
    const order = { state: 'authorized' as const, expiresAt: expiresAt.toISOString() };
    const justBefore = new Date(expiresAt.getTime() - 1);
    assert.equal(orderStateAt(order, justBefore), 'authorized');
    assert.equal(orderStateAt(order, expiresAt), 'expired');
    const late = decideOrderTransition(order, 'processed', expiresAt);
    assert.equal(late.ok ? late.value : late.error.code, 'ORDER_EXPIRED');
  });
});

describe('order deadlines', () => {
  it('expires 14 days after authorization, with reminders 7 days and 1 day before', () => {
    assert.equal(expiresAt.toISOString(), '2026-03-15T10:00:00.000Z');
    assert.deepEqual(
      orderReminderMoments(expiresAt).map(({ kind, at }) => [kind, at.toISOString()]),
      [
        ['one-week', '2026-03-08T10:00:00.000Z'],
        ['one-day', '2026-03-14T10:00:00.000Z'],
      ],
    );
    assert.deepEqual(
      ORDER_REMINDERS.map((r) => r.daysBefore),
      [7, 1],
    );
  });

  const reminders: ReadonlyArray<[string, string | undefined]> = [
    ['2026-03-01T10:00:00.000Z', undefined],
    ['2026-03-08T09:59:59.999Z', undefined],
    ['2026-03-08T10:00:00.000Z', 'one-week'],
    ['2026-03-14T09:59:59.999Z', 'one-week'],
    ['2026-03-14T10:00:00.000Z', 'one-day'],
    ['2026-03-15T09:59:59.999Z', 'one-day'],
    ['2026-03-15T10:00:00.000Z', undefined],
  ];
  for (const [now, expected] of reminders) {
    it(`the reminder due at ${now}: ${expected ?? 'none'}`, () =>
      assert.equal(dueOrderReminder(expiresAt, at(now)), expected));
  }

  const daysLeft: ReadonlyArray<[string, number]> = [
    ['2026-03-01T10:00:00.000Z', 14],
    ['2026-03-01T10:00:00.001Z', 14],
    ['2026-03-14T10:00:00.000Z', 1],
    ['2026-03-15T09:00:00.000Z', 1],
    ['2026-03-15T10:00:00.000Z', 0],
    ['2026-04-01T00:00:00.000Z', 0],
  ];
  for (const [now, expected] of daysLeft) {
    it(`days left at ${now}: ${expected}`, () => assert.equal(orderDaysLeft(expiresAt, at(now)), expected));
  }
});
