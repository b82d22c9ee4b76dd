import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateAuthorizationNumber } from '@keyward/core';
import { listOrders, showOrder } from '@keyward/server';
import { type TestComputer, testComputer } from './support/computer.js';
import {
  authorizedOrder,
  codeOf,
  createDealer,
  type DealerAccount,
  type OrderAnswer,
  processUploaded,
} from './support/orders.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

/** A number of the right form that is not the order's: a guess. */
function wrongNumber(right: string): string {
  for (;;) {
    const guess = generateAuthorizationNumber();
    if (guess !== right) return guess;
  }
}

describe('upgrade orders: who may process them, and how often', () => {
  let vendor: TestVendor;
  let issued: Issued;
  let pcs: TestComputer[];
  let dealerA: DealerAccount;
  let dealerB: DealerAccount;

  before(async () => {
    vendor = await startTestVendor();
    issued = await vendor.issue({ items: { cad: { servers: 1, nodes: 64 } } }, 4);
    pcs = await Promise.all(issued.licenses.map((_, i) => testComputer(`order-sec-${i}`, issued.sdkConfig)));
    for (const [i, pc] of pcs.entries()) assert.ok((await pc.client.activate(issued.licenses[i]?.serial)).ok);
    dealerA = await createDealer(vendor, 'dealer-a');
    dealerB = await createDealer(vendor, 'dealer-b');
  });
  after(() => vendor.close());

  it("dealer A can neither see nor process dealer B's order, and A's tries cost B nothing", async () => {
    const ctx = vendor.server.context;
    const ofB = await authorizedOrder(vendor, dealerB, issued.product.code);
    const ofA = await authorizedOrder(vendor, dealerA, issued.product.code);
    assert.equal(codeOf(await showOrder(ctx, ofB.order.id, dealerA.id)), 'ORDER_NOT_FOUND');
    assert.equal(codeOf(await showOrder(ctx, ofB.order.id, dealerB.id)), 'ok');
    const listedForA = (await listOrders(ctx, { dealerId: dealerA.id })).map((o) => o.id);
    assert.ok(listedForA.includes(ofA.order.id) && !listedForA.includes(ofB.order.id));

    for (const authorizationNumber of [ofB.authorizationNumber, wrongNumber(ofB.authorizationNumber)]) {
      const tried = await processUploaded(vendor, pcs[0] as TestComputer, {
        orderId: ofB.order.id,
        authorizationNumber,
        dealerId: dealerA.id,
      });
      assert.equal(codeOf(tried), 'ORDER_NOT_FOUND');
    }
    const stillB = await vendor.admin<OrderAnswer>('GET', `/v1/orders/${ofB.order.id}`);
    assert.deepEqual([stillB.state, stillB.failedAttempts], ['authorized', 0]);
  });

  it('wrong authorization numbers are refused and counted; the fifth locks the order, until the vendor unlocks it', async () => {
    const pc = pcs[1] as TestComputer;
    const { order, authorizationNumber } = await authorizedOrder(vendor, dealerA, issued.product.code);
    const submit = (number: string) =>
      processUploaded(vendor, pc, { orderId: order.id, authorizationNumber: number, dealerId: dealerA.id });

    const symbols = authorizationNumber.replace(/-/g, '');
    const typo = `${symbols.slice(0, 3)}${symbols[3] === 'Z' ? 'Y' : 'Z'}${symbols.slice(4)}`;
    assert.equal(codeOf(await submit(typo)), 'CODE_MISTYPED', 'a typo is named and not counted');

    for (const left of [4, 3, 2, 1]) {
      const refused = await submit(wrongNumber(authorizationNumber));
      assert.equal(codeOf(refused), 'AUTHORIZATION_INVALID');
      if (!refused.ok) assert.equal(refused.error.detail?.attemptsLeft, left);
    }
    assert.equal(codeOf(await submit(wrongNumber(authorizationNumber))), 'ORDER_LOCKED');
    assert.equal(
      codeOf(await submit(authorizationNumber)),
      'ORDER_LOCKED',
      'locked even to the right number',
    );
    const locked = await vendor.admin<OrderAnswer>('GET', `/v1/orders/${order.id}`);
    assert.deepEqual([locked.state, locked.locked, locked.failedAttempts], ['authorized', true, 5]);

    const unlocked = await vendor.admin<OrderAnswer>('POST', `/v1/orders/${order.id}/unlock`, {});
    assert.equal(unlocked.locked, false);
    assert.equal(codeOf(await submit(authorizationNumber)), 'ok');
  });

  it('guesses sent all at once cannot pass the limit together', async () => {
    const pc = pcs[2] as TestComputer;
    const { order, authorizationNumber } = await authorizedOrder(vendor, dealerA, issued.product.code);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        processUploaded(vendor, pc, {
          orderId: order.id,
          authorizationNumber: wrongNumber(authorizationNumber),
          dealerId: dealerA.id,
        }),
      ),
    );
    assert.ok(results.every((r) => ['AUTHORIZATION_INVALID', 'ORDER_LOCKED'].includes(codeOf(r))));
    const shown = await vendor.admin<OrderAnswer>('GET', `/v1/orders/${order.id}`);
    assert.deepEqual([shown.failedAttempts, shown.locked], [5, true]);
  });

  it('two submissions racing for one order process it once, for one key or two, round after round', async () => {
    const db = vendor.server.context.db;
    for (let round = 0; round < 4; round++) {
      const { order, authorizationNumber } = await authorizedOrder(vendor, dealerA, issued.product.code);
      // Even rounds: the same key submitted twice at once; odd rounds: two keys.
      const racers = round % 2 === 0 ? [pcs[3], pcs[3]] : [pcs[3], pcs[0]];
      const results = await Promise.all(
        racers.map((pc) =>
          processUploaded(vendor, pc as TestComputer, {
            orderId: order.id,
            authorizationNumber,
            dealerId: dealerA.id,
          }),
        ),
      );
      const codes = results.map(codeOf).sort();
      assert.equal(codes.filter((code) => code === 'ok').length, 1, `round ${round}: ${codes}`);
      assert.ok(
        codes.every((code) => ['ok', 'ORDER_PROCESSED', 'FROM_MISMATCH', 'CONFLICT'].includes(code)),
        `round ${round}: ${codes}`,
      );
      const updates = await db
        .selectFrom('license_updates')
        .select('id')
        .where('order_ref', '=', order.id)
        .execute();
      assert.equal(updates.length, 1, `round ${round}: one update issued for the order`);
      for (const [i, result] of results.entries()) {
        if (result.ok)
          assert.ok((await (racers[i] as TestComputer).restart().updates.apply(result.value.file)).ok);
      }
    }
  });

  it('the online path counts wrong numbers too, and refuses a key of another product', async () => {
    const { order, authorizationNumber } = await authorizedOrder(vendor, dealerA, issued.product.code);
    const pc = pcs[1] as TestComputer;
    const wrong = await pc.restart().updates.upgradeByOrder(order.id, wrongNumber(authorizationNumber));
    assert.equal(codeOf(wrong), 'AUTHORIZATION_INVALID');
    const other = await vendor.issue({ items: { cad: { servers: 1 } } }, 1);
    const stranger = await testComputer('order-stranger', other.sdkConfig);
    assert.ok((await stranger.client.activate(other.licenses[0]?.serial)).ok);
    const foreign = await stranger.client.updates.upgradeByOrder(order.id, authorizationNumber);
    assert.equal(codeOf(foreign), 'ORDER_WRONG_KEY');
    const unknown = await pc.restart().updates.upgradeByOrder('ord_nothing', authorizationNumber);
    assert.equal(codeOf(unknown), 'ORDER_NOT_FOUND');
    const shown = await vendor.admin<OrderAnswer>('GET', `/v1/orders/${order.id}`);
    assert.deepEqual(
      [shown.state, shown.failedAttempts],
      ['authorized', 0],
      'the right number forgave the wrong one',
    );
  });
});
