import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { generateAuthorizationNumber } from '@keyward/core';
import type { Browser, Page } from 'playwright-core';
import { inspectScreen, launchBrowser, newPage } from './support/browser.js';
import { KEYWARD } from './support/cli.js';
import { createDealer, type DealerAccount } from './support/orders.js';
import { smtpReceiver } from './support/smtp-receiver.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

const run = promisify(execFile);
const FROM = 'Acme Licensing <licensing@acme.example>';

/** The customer's side, as a user runs it: the keyward command in a process of its own. */
async function keyward(args: string[], env: Record<string, string>) {
  const { stdout } = await run(process.execPath, [KEYWARD, ...args], {
    env: { PATH: process.env.PATH, ...env },
  });
  return stdout;
}

describe('the dealer portal: an offline upgrade walked in headless Chromium, as 000 describes', () => {
  let vendor: TestVendor;
  let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
  let browser: Browser;
  let issued: Issued;
  let dealer: DealerAccount;
  let root: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'keyward-portal-'));
    smtp = await smtpReceiver();
    vendor = await startTestVendor({ KEYWARD_SMTP_URL: smtp.url, KEYWARD_MAIL_FROM: FROM });
    browser = await launchBrowser();
    issued = await vendor.issue({ items: { cad: { servers: 1, nodes: 64 } } }, 3);
    dealer = await createDealer(vendor, 'myname3');
  });
  after(async () => {
    await browser.close();
    await vendor.close();
    await smtp.close();
    await rm(root, { recursive: true, force: true });
  });

  /** A customer's computer with its key activated, by the CLI. */
  async function customer(name: string, serial: string) {
    const config = join(root, `${name}-sdk.json`);
    await writeFile(config, JSON.stringify(issued.sdkConfig));
    const env = {
      HOME: join(root, name),
      KEYWARD_URL: vendor.url,
      KEYWARD_SDK_CONFIG: config,
      KEYWARD_HOME: join(root, name, 'home'),
      KEYWARD_ANCHOR_DIR: join(root, name, 'anchors'),
      KEYWARD_MARKER_DIR: join(root, name, 'marker'),
      KEYWARD_FINGERPRINT: `pc-${name}`,
    };
    await keyward(['key', 'activate', serial], env);
    return env;
  }

  async function authorize(serial?: string) {
    const created = await vendor.admin<{ id: string }>('POST', '/v1/orders', {
      dealer: dealer.login,
      product: issued.product.code,
      items: [
        { item: 'cad', kind: 'servers', count: 1 },
        { item: 'cad', kind: 'nodes', count: 448 },
      ],
      ...(serial === undefined ? {} : { license: serial }),
    });
    return vendor.admin<{ order: { id: string }; authorizationNumber: string }>(
      'POST',
      `/v1/orders/${created.id}/authorize`,
      {},
    );
  }

  async function signIn(page: Page) {
    await page.goto(`${vendor.url}/portal/`);
    await page.getByLabel('Username').fill(dealer.login);
    await page.getByLabel('Password').fill(dealer.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  it('walks every screen, downloads KeyUpgrade.dat, e-mails a copy, and the key shows the new counts', async () => {
    const serial = issued.licenses[0]?.serial ?? '';
    const pc = await customer('walk', serial);
    const keyUpload = join(root, 'KeyUpload.dat');
    await keyward(['key', 'request', '--out', keyUpload], pc);
    const { order, authorizationNumber } = await authorize(serial);

    // The authorization e-mail: the portal's address, the login, the order and its number.
    const authorizedMail = await smtp.waitFor((mail) => mail.parsed.subject?.includes(order.id) === true);
    assert.deepEqual(authorizedMail.recipients, ['myname3@dealers.example']);
    assert.match(authorizedMail.parsed.text ?? '', new RegExp(`${vendor.url}/portal`));
    assert.match(authorizedMail.parsed.text ?? '', /Username: myname3/);
    assert.match(
      authorizedMail.parsed.text ?? '',
      new RegExp(`Order ID: ${order.id} \\(authorization number: ${authorizationNumber}\\)`),
    );
    assert.match(authorizedMail.parsed.text ?? '', /1 more server and 448 more nodes/);

    const page = await newPage(browser);
    await signIn(page);
    assert.match(page.url(), /\/portal\/orders$/);
    assert.match(
      await page.locator('main').innerText(),
      new RegExp(`${order.id}[\\s\\S]*Ready to process[\\s\\S]*14`),
    );
    await inspectScreen(page, '01-orders');

    await page.getByRole('link', { name: 'Process an order' }).first().click();
    await inspectScreen(page, '02-order-and-authorization');
    await page.getByLabel('Order ID').fill(order.id);
    await page.getByLabel('Authorization number').fill(authorizationNumber);
    await page.getByRole('button', { name: 'Continue' }).click();

    // From fields: To fills itself in; a wrong From is named beside its field once the key is read.
    await page.getByLabel('cad: servers').fill('1');
    await page.getByLabel('cad: nodes').fill('60');
    assert.equal(await page.locator('#f-from\\.cad\\.servers-to').innerText(), '2');
    assert.equal(await page.locator('#f-from\\.cad\\.nodes-to').innerText(), '508');
    await inspectScreen(page, '03-licenses');
    await page.getByLabel(/Offline/).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await inspectScreen(page, '04-upload');
    await page.getByLabel('Key information file').setInputFiles(keyUpload);
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.match(await page.locator('#f-from\\.cad\\.nodes-error').innerText(), /holds 64/);
    assert.equal(
      await page.locator('#f-from\\.cad\\.servers-error').count(),
      0,
      'only the wrong item is named',
    );
    await inspectScreen(page, '05-from-mismatch');
    await page.getByLabel('cad: nodes').fill('64');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Key information file').setInputFiles(keyUpload);
    await page.getByRole('button', { name: 'Continue' }).click();

    const summary = await page.locator('main').innerText();
    assert.match(summary, new RegExp(serial));
    assert.match(summary, /From 1 to 2 concurrent servers/);
    assert.match(summary, /From 64 to 512 concurrent nodes/);
    await inspectScreen(page, '06-summary');
    await page.getByRole('button', { name: 'Continue' }).click();

    await inspectScreen(page, '07-download');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Download KeyUpgrade/ }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `KeyUpgrade-${serial}.dat`);
    const saved = join(root, download.suggestedFilename());
    await download.saveAs(saved);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.match(await page.locator('main').innerText(), /Order confirmed/);
    await inspectScreen(page, '08-confirmation');
    await page.getByRole('button', { name: 'Log out' }).first().click();
    assert.match(page.url(), /\/portal\/login/);

    // The e-mail after the download: the file attached, key info, upgrade info, confirmation credentials.
    const upgradeMail = await smtp.waitFor(
      (mail) => mail.parsed.subject?.startsWith('Upgrade file') === true,
    );
    const body = upgradeMail.parsed.text ?? '';
    assert.match(body, new RegExp(`Serial number: ${serial}`));
    assert.match(body, /Format version: 2/);
    assert.match(body, /From 1 to 2 concurrent servers/);
    assert.match(body, /From 64 to 512 concurrent nodes/);
    const [attachment] = upgradeMail.parsed.attachments;
    assert.equal(attachment?.filename, `KeyUpgrade-${serial}.dat`);
    assert.equal(attachment?.content.toString('utf8'), await readFile(saved, 'utf8'));

    await keyward(['key', 'apply', saved], pc);
    const status = JSON.parse(await keyward(['key', 'status', '--json'], pc)) as {
      contents: { items: Record<string, Record<string, number>> };
    };
    assert.deepEqual(status.contents.items.cad, { servers: 2, nodes: 512 });

    // Downloading again (from the same page, signed in again) sends no second e-mail.
    await signIn(page);
    const again = await page.request.get(`${vendor.url}/portal/orders/${order.id}/upgrade-file`);
    assert.equal(again.status(), 200);
    await new Promise((done) => setTimeout(done, 1500));
    assert.equal(
      smtp.received.filter((mail) => mail.parsed.subject?.startsWith(`Upgrade file for key ${serial}`))
        .length,
      1,
    );
    await page.getByRole('button', { name: 'Log out' }).first().click();

    // The confirmation look-up, with the credentials of the e-mail, signed out.
    const login = /Username: (\S+)/.exec(body.split('Confirmation Info:')[1] ?? '')?.[1] ?? '';
    const password = /Password: (\S+)/.exec(body.split('Confirmation Info:')[1] ?? '')?.[1] ?? '';
    await page.goto(`${vendor.url}/portal/confirmation`);
    await inspectScreen(page, '09-confirmation-lookup');
    await page.getByLabel('Confirmation username').fill(login);
    await page.getByLabel('Confirmation password').fill(password);
    await page.getByRole('button', { name: 'Look up' }).click();
    assert.match(await page.locator('main').innerText(), new RegExp(`Processed order ${order.id}`));
    await inspectScreen(page, '10-confirmed-order');
  });

  it("the customer's copy damaged on its way: the e-mailed copy works", async () => {
    const serial = issued.licenses[1]?.serial ?? '';
    const pc = await customer('damaged', serial);
    const keyUpload = join(root, 'KeyUpload-damaged.dat');
    await keyward(['key', 'request', '--out', keyUpload], pc);
    const { order, authorizationNumber } = await authorize();
    const page = await newPage(browser, 'phone');
    await signIn(page);
    await page.goto(`${vendor.url}/portal/process`);
    await page.getByLabel('Order ID').fill(order.id);
    await page.getByLabel('Authorization number').fill(authorizationNumber);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('cad: servers').fill('1');
    await page.getByLabel('cad: nodes').fill('64');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Key information file').setInputFiles(keyUpload);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Download KeyUpgrade/ }).click(),
    ]);
    const saved = join(root, `damaged-${download.suggestedFilename()}`);
    await download.saveAs(saved);
    const text = await readFile(saved, 'utf8');
    const lines = text.split('\n');
    const middle = Math.floor(lines.length / 2);
    lines[middle] = (lines[middle] ?? '').replace(/[A-Za-z]/, (c) => (c === 'A' ? 'B' : 'A'));
    await writeFile(saved, lines.join('\n'));
    await assert.rejects(keyward(['key', 'apply', saved], pc), /damaged|corrupt|TAMPER|not a valid|changed/i);

    const mail = await smtp.waitFor(
      (received) =>
        received.parsed.subject?.includes(order.id) === true && received.parsed.attachments.length > 0,
    );
    const copy = join(root, 'emailed-copy.dat');
    await writeFile(copy, mail.parsed.attachments[0]?.content ?? Buffer.alloc(0));
    await keyward(['key', 'apply', copy], pc);
    const status = JSON.parse(await keyward(['key', 'status', '--json'], pc)) as {
      contents: { items: Record<string, Record<string, number>> };
    };
    assert.deepEqual(status.contents.items.cad, { servers: 2, nodes: 512 });
  });

  it("dealer B can neither see nor process dealer A's order, even with its authorization number", async () => {
    const { order, authorizationNumber } = await authorize();
    const other = await createDealer(vendor, 'othername');
    const page = await newPage(browser);
    await page.goto(`${vendor.url}/portal/login`);
    await page.getByLabel('Username').fill(other.login);
    await page.getByLabel('Password').fill(other.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(order.id));
    await page.goto(`${vendor.url}/portal/process`);
    await page.getByLabel('Order ID').fill(order.id);
    await page.getByLabel('Authorization number').fill(authorizationNumber);
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.match(await page.locator('#f-orderId-error').innerText(), /None of your orders has this ID/);
    const download = await page.request.get(`${vendor.url}/portal/orders/${order.id}/download`);
    assert.equal(download.status(), 404);
    const shown = await vendor.admin<{ state: string; failedAttempts: number }>(
      'GET',
      `/v1/orders/${order.id}`,
    );
    assert.deepEqual([shown.state, shown.failedAttempts], ['authorized', 0]);
  });

  it('a wrong authorization number is shown beside its field, counted, and locks the order at the fifth', async () => {
    const { order } = await authorize();
    const page = await newPage(browser);
    await signIn(page);
    let message = '';
    for (let attempt = 1; attempt <= 5; attempt++) {
      await page.goto(`${vendor.url}/portal/process`);
      await page.getByLabel('Order ID').fill(order.id);
      await page.getByLabel('Authorization number').fill(generateAuthorizationNumber());
      await page.getByRole('button', { name: 'Continue' }).click();
      message = await page.locator('main').innerText();
    }
    assert.match(message, /locked/i);
    const shown = await vendor.admin<{ locked: boolean }>('GET', `/v1/orders/${order.id}`);
    assert.equal(shown.locked, true);
  });
});
