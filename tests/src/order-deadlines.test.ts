import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sleep } from './support/mail.js';
import { authorizedOrder, createDealer, type DealerAccount, type OrderAnswer } from './support/orders.js';
import { type ReceivedMail, smtpReceiver } from './support/smtp-receiver.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

const FROM = 'Acme Licensing <licensing@acme.example>';

/**
 * An order's e-mails, driven by the clock: authorized, the reminders one week and one day before
 * its deadline, and the expiry; each exactly once, and one sent late by a server that was stopped
 * over its moment.
 */
describe('upgrade orders: reminders and expiry by e-mail, moved by the clock', () => {
  let vendor: TestVendor;
  let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
  let issued: Issued;
  let dealer: DealerAccount;

  before(async () => {
    smtp = await smtpReceiver();
    vendor = await startTestVendor({ KEYWARD_SMTP_URL: smtp.url, KEYWARD_MAIL_FROM: FROM });
    issued = await vendor.issue({ items: { cad: { servers: 1, nodes: 64 } } }, 1);
    dealer = await createDealer(vendor, 'deadlines');
  });
  after(async () => {
    await vendor.close();
    await smtp.close();
  });

  const about = (orderId: string) => (mail: ReceivedMail) => mail.parsed.subject?.includes(orderId) === true;
  const mailsAbout = (orderId: string) =>
    smtp.received.filter(about(orderId)).map((mail) => mail.parsed.subject);

  it('authorized, one week left, one day left, expired: each e-mail once, at its moment', async () => {
    const { order } = await authorizedOrder(vendor, dealer, issued.product.code);
    const authorized = await smtp.waitFor(about(order.id));
    assert.equal(authorized.parsed.subject, `Order ${order.id} is ready to be processed`);
    assert.deepEqual(authorized.recipients, ['deadlines@dealers.example']);

    vendor.clock.advanceDays(6.9);
    await sleep(1000);
    assert.deepEqual(mailsAbout(order.id).length, 1, 'no reminder before its moment');

    vendor.clock.advanceDays(0.2);
    const week = await smtp.waitFor(
      (mail) => about(order.id)(mail) && /one week/.test(mail.parsed.subject ?? ''),
    );
    assert.match(week.parsed.text ?? '', /Your order will expire in one week/);
    assert.equal((await vendor.admin<OrderAnswer>('GET', `/v1/orders/${order.id}`)).daysLeft, 7);

    vendor.clock.advanceDays(6);
    const day = await smtp.waitFor(
      (mail) => about(order.id)(mail) && /one day/.test(mail.parsed.subject ?? ''),
    );
    assert.match(day.parsed.text ?? '', /Your order will expire in one day/);

    vendor.clock.advanceDays(1);
    const expired = await smtp.waitFor(
      (mail) => about(order.id)(mail) && /expired/.test(mail.parsed.subject ?? ''),
    );
    assert.match(
      expired.parsed.text ?? '',
      /Your order has expired and has been cancelled\. You will not be invoiced for the cancelled order\./,
    );
    const shown = await vendor.admin<OrderAnswer>('GET', `/v1/orders/${order.id}`);
    assert.equal(shown.state, 'expired');
    const stored = await vendor.server.context.db
      .selectFrom('orders')
      .select('state')
      .where('id', '=', order.id)
      .executeTakeFirstOrThrow();
    assert.equal(stored.state, 'expired', 'the expiry job recorded it');

    await sleep(1500);
    assert.deepEqual(mailsAbout(order.id), [
      `Order ${order.id} is ready to be processed`,
      `Your order ${order.id} will expire in one week`,
      `Your order ${order.id} will expire in one day`,
      `Your order ${order.id} has expired`,
    ]);
  });

  it('a server stopped over the one-week moment sends that reminder once when it is back', async () => {
    const { order } = await authorizedOrder(vendor, dealer, issued.product.code);
    await smtp.waitFor(about(order.id));
    await vendor.restart(() => vendor.clock.advanceDays(8));
    const week = await smtp.waitFor(
      (mail) => about(order.id)(mail) && /one week/.test(mail.parsed.subject ?? ''),
    );
    assert.match(week.parsed.text ?? '', /Your order will expire in one week/);
    await sleep(1500);
    assert.deepEqual(mailsAbout(order.id), [
      `Order ${order.id} is ready to be processed`,
      `Your order ${order.id} will expire in one week`,
    ]);
  });
});
