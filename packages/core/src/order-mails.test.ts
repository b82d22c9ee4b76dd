import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderAuthorizedMail, orderExpiredMail, orderReminderMail, upgradeFileMail } from './order-mails.js';

const dealer = { name: 'Acme Resellers', email: 'orders@acme.example', login: 'myname3' };
const order = {
  id: 'ord_1017000750',
  productName: 'CAD Pro',
  items: [
    { item: 'cad', kind: 'servers', count: 1 },
    { item: 'cad', kind: 'nodes', count: 448 },
  ],
};
const portalUrl = 'https://vendor.example/portal';

describe('order e-mails', () => {
  it('order authorized: the portal address, the login and the order information', () => {
    const mail = orderAuthorizedMail({
      dealer,
      order,
      authorizationNumber: 'K7Q2-M9XW-4HQ7',
      expiresAt: '2026-03-15T10:00:00.000Z',
      portalUrl,
    });
    assert.equal(mail.to, 'orders@acme.example');
    assert.equal(mail.subject, 'Order ord_1017000750 is ready to be processed');
    assert.match(
      mail.text,
      /Your order is ready to be processed\. Please go to https:\/\/vendor\.example\/portal to upgrade your key's license\./,
    );
    assert.match(mail.text, /Login Information:\n {2}• Username: myname3\n {2}• Password: /);
    assert.match(
      mail.text,
      /Order ID: ord_1017000750 \(authorization number: K7Q2-M9XW-4HQ7\)\. This order requests 1 more server and 448 more nodes of CAD Pro\./,
    );
    assert.match(mail.text, /by 2026-03-15/);
    assert.deepEqual(mail.attachments, []);
  });

  it('upgrade file: the file attached, key info, upgrade info and confirmation credentials', () => {
    const file = '-----BEGIN KEYWARD LICENSE UPDATE-----\n...\n';
    const mail = upgradeFileMail({
      dealer,
      order,
      serial: '7KQ2M-9XW4B-4HQ7N-2PL8V',
      formatVersion: 2,
      lines: [
        { item: 'cad', kind: 'servers', from: 1, to: 2 },
        { item: 'cad', kind: 'nodes', from: 64, to: 512 },
      ],
      confirmation: { login: 'QX7M-2K9D', password: '1123-0910-2211-2900' },
      file,
      portalUrl,
    });
    assert.equal(mail.subject, 'Upgrade file for key 7KQ2M-9XW4B-4HQ7N-2PL8V (order ord_1017000750)');
    assert.match(mail.text, /upgrade data file is attached/);
    assert.match(
      mail.text,
      /Key Info:\n {2}• Format version: 2\n {2}• Serial number: 7KQ2M-9XW4B-4HQ7N-2PL8V/,
    );
    assert.match(
      mail.text,
      /License Upgrade Info:\n {2}• From 1 to 2 concurrent servers\n {2}• From 64 to 512 concurrent nodes/,
    );
    assert.match(
      mail.text,
      /Confirmation Info:\n {2}• Username: QX7M-2K9D\n {2}• Password: 1123-0910-2211-2900/,
    );
    assert.match(
      mail.text,
      /confirm it online at https:\/\/vendor\.example\/portal using the username and password above/,
    );
    assert.equal(mail.attachments.length, 1);
    assert.equal(mail.attachments[0]?.filename, 'KeyUpgrade-7KQ2M-9XW4B-4HQ7N-2PL8V.dat');
    assert.equal(Buffer.from(mail.attachments[0]?.content ?? '', 'base64').toString('utf8'), file);
  });

  for (const [reminder, words] of [
    ['one-week', 'one week'],
    ['one-day', 'one day'],
  ] as const) {
    it(`reminder ${reminder}: "Your order will expire in ${words}"`, () => {
      const mail = orderReminderMail({
        dealer,
        order,
        reminder,
        expiresAt: '2026-03-15T10:00:00.000Z',
        portalUrl,
      });
      assert.equal(mail.subject, `Your order ord_1017000750 will expire in ${words}`);
      assert.match(mail.text, new RegExp(`Your order will expire in ${words}, on 2026-03-15\\.`));
      assert.match(mail.text, /go to https:\/\/vendor\.example\/portal and log in as myname3/);
    });
  }

  it('expired: cancelled, not invoiced, place a new order', () => {
    const mail = orderExpiredMail({ dealer, order });
    assert.equal(mail.subject, 'Your order ord_1017000750 has expired');
    assert.match(
      mail.text,
      /Your order has expired and has been cancelled\. You will not be invoiced for the cancelled order\. If you still wish to add licenses, you must place a new order\./,
    );
  });
});
