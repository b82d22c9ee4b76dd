import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { inspectScreen, launchBrowser, newPage } from './support/browser.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

describe('portal: signing in and out, in headless Chromium', () => {
  let vendor: TestVendor;
  let browser: Browser;

  before(async () => {
    vendor = await startTestVendor();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser.close();
    await vendor.close();
  });

  it('signs the vendor staff in with an admin token, shows a wrong one beside its field, and signs out', async () => {
    const page = await newPage(browser);
    await page.goto(`${vendor.url}/portal/`);
    assert.equal(await page.title(), 'Sign in · Keyward portal');
    await inspectScreen(page, 'sign-in');

    await page.getByText('Vendor staff: sign in with an admin token').click();
    await page.getByLabel('Admin token').fill('kw_admin_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in as staff' }).click();
    const error = page.locator('#f-token-error');
    assert.match(await error.innerText(), /not an admin token/);
    assert.equal(await page.getByLabel('Admin token').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate("document.activeElement?.getAttribute('role')"), 'alert');
    await inspectScreen(page, 'sign-in-refused');

    await page.getByLabel('Admin token').fill(vendor.token);
    await page.getByRole('button', { name: 'Sign in as staff' }).click();
    assert.match(page.url(), /\/portal\/staff\//);
    await page.getByRole('button', { name: 'Log out' }).click();
    assert.match(page.url(), /\/portal\/login/);
    await page.goto(`${vendor.url}/portal/staff/orders`);
    assert.match(page.url(), /\/portal\/login/, 'signed out: the staff pages ask to sign in again');
  });

  it('refuses a form posted without its CSRF token, from another site', async () => {
    const response = await fetch(`${vendor.url}/portal/staff/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: vendor.token }).toString(),
      redirect: 'manual',
    });
    assert.equal(response.status, 403);
    assert.ok(!(response.headers.get('set-cookie') ?? '').includes('kw_portal='), 'no sign-in cookie');
    assert.match(await response.text(), /This form has expired or was not sent from the portal/);
  });

  it('limits sign-in attempts', async () => {
    const page = await newPage(browser);
    await page.goto(`${vendor.url}/portal/login`);
    let status = 0;
    for (let attempt = 0; attempt < 12 && status !== 429; attempt++) {
      const token = await page.locator('input[name="_csrf"]').first().inputValue();
      const response = await page.request.post(`${vendor.url}/portal/staff/login`, {
        form: { _csrf: token, token: 'kw_admin_guess' },
        maxRedirects: 0,
      });
      status = response.status();
    }
    assert.equal(status, 429);
  });
});
