import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { License, Policy, Product } from '@keyward/core';
import { generateSerial, parseSerial } from '@keyward/core';
import { testComputer } from './support/computer.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

describe('admin API, happy path', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('creates a product, a policy with defaults, licenses with typeable serials; lists and shows them', async () => {
    const product = await vendor.admin<Product>('POST', '/v1/products', { code: 'cad-pro', name: 'CAD Pro' });
    const policy = await vendor.admin<Policy>('POST', '/v1/policies', {
      product: 'cad-pro',
      name: 'Standard',
    });
    assert.deepEqual(
      [
        policy.productId,
        policy.checkIntervalDays,
        policy.evaluationDays,
        policy.maxTransfers,
        policy.verification,
        policy.durationDays,
      ],
      [product.id, 30, 30, 3, 'ongoing', null],
    );
    const yearly = await vendor.admin<Policy>('POST', '/v1/policies', {
      product: product.id,
      name: 'Yearly',
      durationDays: 365,
      maxTransfers: null,
      verification: 'off',
    });
    const { licenses } = await vendor.admin<{ licenses: License[] }>('POST', '/v1/licenses', {
      policy: yearly.id,
      count: 5,
      note: 'ACME',
    });
    assert.equal(licenses.length, 5);
    for (const license of licenses) {
      assert.ok(parseSerial(license.serial).ok);
      assert.equal(license.note, 'ACME');
      const days = (Date.parse(license.expiresAt ?? '') - Date.parse(license.createdAt)) / 86_400_000;
      assert.equal(Math.round(days), 365);
    }
    assert.equal(new Set(licenses.map((license) => license.serial)).size, 5);

    const page1 = await vendor.admin<{ licenses: License[] }>('GET', '/v1/licenses?product=cad-pro&limit=3');
    const page2 = await vendor.admin<{ licenses: License[] }>(
      'GET',
      `/v1/licenses?product=cad-pro&limit=3&after=${page1.licenses[2]?.id}`,
    );
    assert.deepEqual([page1.licenses.length, page2.licenses.length], [3, 2]);

    const typed = (licenses[0]?.serial ?? '').toLowerCase();
    const shown = await vendor.admin<{
      license: License;
      binding: unknown;
      history: Array<{ type: string }>;
    }>('GET', `/v1/licenses/${typed}`);
    assert.equal(shown.license.id, licenses[0]?.id);
    assert.equal(shown.binding, null);
    assert.deepEqual(
      shown.history.map((event) => event.type),
      ['created'],
    );
  });

  it('shows the binding and history once a computer activates, and records suspension with its reason', async () => {
    const issued = await vendor.issue({});
    const serial = issued.licenses[0]?.serial ?? '';
    const pc = await testComputer('shown', issued.sdkConfig);
    assert.ok((await pc.client.activate(serial)).ok);
    const suspended = await vendor.admin<License>('POST', `/v1/licenses/${serial}/suspend`, {
      reason: 'chargeback',
    });
    assert.equal(suspended.status, 'suspended');
    const shown = await vendor.admin<{
      binding: { lastCheckedAt: string } | null;
      history: Array<{ type: string; detail: { reason?: string } }>;
    }>('GET', `/v1/licenses/${serial}`);
    assert.ok(shown.binding?.lastCheckedAt);
    assert.deepEqual(
      shown.history.map((event) => event.type),
      ['created', 'activated', 'suspended'],
    );
    assert.equal(shown.history[2]?.detail.reason, 'chargeback');
  });

  it('hands out an SDK configuration that the client SDK accepts', async () => {
    const issued = await vendor.issue({ evaluationDays: 14 });
    assert.equal(issued.sdkConfig.evaluationDays, 14);
    assert.equal(issued.sdkConfig.serverUrl, vendor.url);
    assert.deepEqual(issued.sdkConfig.vendorKeys.map((key) => key.kind).sort(), ['ed25519', 'x25519']);
  });

  it('refuses a duplicate product code and unknown references with stable codes', async () => {
    const duplicate = await fetch(`${vendor.url}/v1/products`, {
      method: 'POST',
      headers: { authorization: `Bearer ${vendor.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'cad-pro', name: 'Again' }),
    });
    assert.equal(duplicate.status, 409);
    assert.equal(((await duplicate.json()) as { code: string }).code, 'PRODUCT_CODE_TAKEN');
    for (const [path, body, code] of [
      ['/v1/policies', { product: 'nope', name: 'x' }, 'PRODUCT_NOT_FOUND'],
      ['/v1/licenses', { policy: 'pol_nope' }, 'POLICY_NOT_FOUND'],
      [`/v1/licenses/${generateSerial()}/suspend`, {}, 'LICENSE_NOT_FOUND'],
      ['/v1/licenses/lic_00000000000000000000000000/suspend', {}, 'LICENSE_NOT_FOUND'],
      ['/v1/licenses/AAAAA-AAAAA-AAAAA-AAAAA/suspend', {}, 'SERIAL_INVALID'],
      ['/v1/policies', { product: 'cad-pro', name: 'x', checkIntervalDays: 0 }, 'VALIDATION_FAILED'],
      ['/v1/policies', { product: 'cad-pro', name: 'x', verification: 'frozen' }, 'VALIDATION_FAILED'],
    ] as const) {
      const response = await fetch(`${vendor.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${vendor.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(((await response.json()) as { code: string }).code, code, path);
    }
  });

  it('serves an OpenAPI document describing every operation', async () => {
    const response = await fetch(`${vendor.url}/openapi.json`);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    assert.equal(document.openapi, '3.1.0');
    const operations = Object.values(document.paths).flatMap((methods) =>
      Object.values(methods).map((op) => op.operationId),
    );
    for (const id of [
      'activate',
      'checkLicense',
      'deactivate',
      'createProduct',
      'createPolicy',
      'createLicenses',
      'suspendLicense',
      'getSdkConfig',
      'createUpdate',
      'queueUpdate',
      'listUpdates',
      'pullUpdates',
      'showSite',
      'tieRenewal',
      'listRenewals',
      'removeRenewal',
      'fetchRenewal',
      'reportSite',
    ]) {
      assert.ok(operations.includes(id), id);
    }
  });
});
