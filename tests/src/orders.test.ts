import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateAuthorizationNumber, upgradeFileMail } from '@keyward/core';
import { authenticateDealer, lookUpConfirmation } from '@keyward/server';
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

const portalUrl = 'https://vendor.example/portal';

async function seats(pc: TestComputer) {
  const status = await pc.restart().status();
  assert.ok(status.ok);
  return status.value.contents.items.cad;
}

describe('upgrade orders: the lifecycle', () => {
  let vendor: TestVendor;
  let issued: Issued;
  let pc: TestComputer;
  let dealer: DealerAccount;

  before(async () => {
    vendor = await startTestVendor();
    issued = await vendor.issue({ items: { cad: { servers: 1, nodes: 64 } } }, 2);
    pc = await testComputer('order-customer', issued.sdkConfig);
    assert.ok((await pc.client.activate(issued.licenses[0]?.serial)).ok);
    dealer = await createDealer(vendor, 'myname3');
  });
  after(() => vendor.close());

  it('created -> authorized -> processed: the From check, the upgrade file, the confirmation look-up', async () => {
    const created = await vendor.admin<OrderAnswer>('POST', '/v1/orders', {
      dealer: 'myname3',
      product: issued.product.code,
      items: [
        { item: 'cad', kind: 'servers', count: 1 },
        { item: 'cad', kind: 'nodes', count: 448 },
      ],
    });
    assert.equal(created.state, 'created');
    assert.equal(created.description, '1 more server and 448 more nodes');
    assert.equal(created.daysLeft, null);
    assert.match(created.id, /^ord_/);

    const { order, authorizationNumber } = await vendor.admin<{
      order: OrderAnswer;
      authorizationNumber: string;
    }>('POST', `/v1/orders/${created.id}/authorize`, {});
    assert.equal(order.state, 'authorized');
    assert.equal(order.daysLeft, 14);
    assert.match(authorizationNumber, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const stored = await vendor.server.context.db.selectFrom('orders').selectAll().execute();
    assert.ok(!JSON.stringify(stored).includes(authorizationNumber), 'only the hash is kept');

    const mismatch = await processUploaded(vendor, pc, {
      orderId: order.id,
      authorizationNumber,
      dealerId: dealer.id,
      statedFrom: { 'cad.servers': 2, 'cad.nodes': 64 },
    });
    assert.equal(codeOf(mismatch), 'FROM_MISMATCH');
    if (!mismatch.ok) assert.deepEqual(mismatch.error.detail?.fields, ['cad.servers']);

    const processed = await processUploaded(vendor, pc, {
      orderId: order.id,
      authorizationNumber: authorizationNumber.toLowerCase().replace(/-/g, ' '),
      dealerId: dealer.id,
      statedFrom: { 'cad.servers': 1, 'cad.nodes': 64 },
    });
    assert.ok(processed.ok, codeOf(processed));
    const { lines, file, confirmation, serial } = processed.value;
    assert.equal(serial, issued.licenses[0]?.serial);
    assert.deepEqual(
      lines.map(({ from, to }) => [from, to]),
      [
        [1, 2],
        [64, 512],
      ],
    );
    assert.equal(processed.value.fileName, `KeyUpgrade-${serial}.dat`);
    assert.equal(processed.value.order.state, 'processed');

    // The downloaded copy was damaged on its way; the copy the e-mail carries applies.
    const damaged = file.replace(/\n([A-Za-z0-9+/])/, (_m, c: string) => `\n${c === 'A' ? 'B' : 'A'}`);
    assert.equal(codeOf(await pc.restart().updates.apply(damaged)), 'FILE_CORRUPTED');
    const mail = upgradeFileMail({ ...processed.value, portalUrl });
    assert.equal(mail.to, 'myname3@dealers.example');
    assert.match(mail.text, /From 1 to 2 concurrent servers\n {2}• From 64 to 512 concurrent nodes/);
    const attached = Buffer.from(mail.attachments[0]?.content ?? '', 'base64').toString('utf8');
    const applied = await pc.restart().updates.apply(attached);
    assert.ok(applied.ok, codeOf(applied));
    assert.deepEqual(await seats(pc), { servers: 2, nodes: 512 });

    const shown = await vendor.admin<OrderAnswer>('GET', `/v1/orders/${order.id}`);
    assert.deepEqual(
      [shown.state, shown.updateId, shown.daysLeft],
      ['processed', processed.value.update.id, null],
    );
    const history = await vendor.admin<{ updates: Array<{ orderRef: string | null }> }>(
      'GET',
      `/v1/licenses/${serial}/updates`,
    );
    assert.deepEqual(
      history.updates.map((u) => u.orderRef),
      [order.id],
    );

    const again = await processUploaded(vendor, pc, {
      orderId: order.id,
      authorizationNumber,
      dealerId: dealer.id,
    });
    assert.equal(codeOf(again), 'ORDER_PROCESSED');

    const lookedUp = await lookUpConfirmation(
      vendor.server.context,
      confirmation.login.toLowerCase(),
      confirmation.password.replace(/-/g, ''),
    );
    assert.ok(lookedUp.ok, codeOf(lookedUp));
    assert.deepEqual(
      [lookedUp.value.order.id, lookedUp.value.file, lookedUp.value.serial],
      [order.id, file, serial],
    );
    assert.equal(
      codeOf(await lookUpConfirmation(vendor.server.context, confirmation.login, 'WRONG-PASS')),
      'LOGIN_FAILED',
    );
    assert.equal(
      codeOf(await lookUpConfirmation(vendor.server.context, 'NOPE', confirmation.password)),
      'LOGIN_FAILED',
    );
  });

  it('an order processed for a key that has not applied it reaches the key online, with the right number only', async () => {
    const before = await seats(pc);
    const { order, authorizationNumber } = await authorizedOrder(vendor, dealer, issued.product.code, [
      { item: 'cad', kind: 'nodes', count: 8 },
    ]);
    const processed = await processUploaded(vendor, pc, {
      orderId: order.id,
      authorizationNumber,
      dealerId: dealer.id,
    });
    assert.ok(processed.ok, codeOf(processed));
    const wrong = await pc.restart().updates.upgradeByOrder(order.id, generateAuthorizationNumber());
    assert.equal(codeOf(wrong), 'AUTHORIZATION_INVALID');
    const online = await pc.restart().updates.upgradeByOrder(order.id, authorizationNumber);
    assert.ok(online.ok, codeOf(online));
    assert.equal(online.value.packageId, processed.value.update.id, 'the same update, not a second one');
    assert.deepEqual(await seats(pc), { ...before, nodes: (before?.nodes ?? 0) + 8 });
    const again = await pc.restart().updates.upgradeByOrder(order.id, authorizationNumber);
    assert.equal(codeOf(again), 'ORDER_PROCESSED');
  });

  it('dealers log in with their argon2-hashed password', async () => {
    const ctx = vendor.server.context;
    const row = await ctx.db
      .selectFrom('dealers')
      .selectAll()
      .where('login', '=', 'myname3')
      .executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^\$argon2id\$/);
    const loggedIn = await authenticateDealer(ctx, 'myname3', dealer.password);
    assert.equal(loggedIn.ok && loggedIn.value.id, dealer.id);
    assert.equal(codeOf(await authenticateDealer(ctx, 'myname3', 'not the password')), 'LOGIN_FAILED');
    assert.equal(codeOf(await authenticateDealer(ctx, 'nobody', dealer.password)), 'LOGIN_FAILED');
  });

  it('a dealer made without a password gets one, shown once; a login is taken once', async () => {
    const made = await vendor.admin<{ dealer: { id: string }; password: string }>('POST', '/v1/dealers', {
      login: 'generated',
      name: 'Generated',
      email: 'g@dealers.example',
    });
    assert.match(made.password, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    assert.ok((await authenticateDealer(vendor.server.context, 'generated', made.password)).ok);
    const taken = await fetch(`${vendor.url}/v1/dealers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${vendor.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'generated', name: 'Other', email: 'o@dealers.example' }),
    });
    assert.equal(taken.status, 409);
    assert.equal(((await taken.json()) as { code: string }).code, 'DEALER_LOGIN_TAKEN');
    const { dealers } = await vendor.admin<{ dealers: Array<{ login: string }> }>('GET', '/v1/dealers');
    assert.deepEqual(dealers.map((d) => d.login).sort(), ['generated', 'myname3']);
  });

  it('an order for one license refuses every other key; a cancelled order is refused', async () => {
    const other = await testComputer('order-other', issued.sdkConfig);
    assert.ok((await other.client.activate(issued.licenses[1]?.serial)).ok);
    const { order, authorizationNumber } = await authorizedOrder(
      vendor,
      dealer,
      issued.product.code,
      undefined,
      issued.licenses[0]?.serial,
    );
    const wrongKey = await processUploaded(vendor, other, {
      orderId: order.id,
      authorizationNumber,
      dealerId: dealer.id,
    });
    assert.equal(codeOf(wrongKey), 'ORDER_WRONG_KEY');

    const cancelled = await vendor.admin<OrderAnswer>('POST', `/v1/orders/${order.id}/cancel`, {});
    assert.equal(cancelled.state, 'cancelled');
    const late = await processUploaded(vendor, pc, {
      orderId: order.id,
      authorizationNumber,
      dealerId: dealer.id,
    });
    assert.equal(codeOf(late), 'ORDER_CANCELLED');
    const authorizeAgain = await fetch(`${vendor.url}/v1/orders/${order.id}/authorize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${vendor.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(((await authorizeAgain.json()) as { code: string }).code, 'ORDER_CANCELLED');
  });

  it('an order not yet authorized cannot be processed', async () => {
    const created = await vendor.admin<OrderAnswer>('POST', '/v1/orders', {
      dealer: dealer.login,
      product: issued.product.code,
      items: [{ item: 'cad', kind: 'nodes', count: 1 }],
    });
    const early = await processUploaded(vendor, pc, {
      orderId: created.id,
      authorizationNumber: 'K7Q2-M9XW-4HQ7',
      dealerId: dealer.id,
    });
    assert.equal(codeOf(early), 'ORDER_NOT_AUTHORIZED');
  });
});
