import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateKeyMaterial, verifySiteCertificate } from '@keyward/core';
import { vendorKeysOf } from './support/site-server.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

async function call(vendor: TestVendor, method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await fetch(`${vendor.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${vendor.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('vendor: site servers', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('certifies a site key once, with a certificate the SDK configuration verifies', async () => {
    const siteKey = generateKeyMaterial('ed25519').publicKey;
    const registered = await call(vendor, 'POST', '/v1/sites', { name: 'Plant 2', siteKey });
    assert.equal(registered.status, 201);
    const { sdkConfig } = await vendor.issue();
    const certificate = verifySiteCertificate(registered.body.certificate, vendorKeysOf(sdkConfig));
    assert.equal(certificate.ok && certificate.value.siteKey, siteKey);
    const again = await call(vendor, 'POST', '/v1/sites', { name: 'Copy', siteKey });
    assert.deepEqual([again.status, again.body.code], [409, 'SITE_KEY_TAKEN']);
  });

  it('issues site licenses to known sites for usable licenses only, and lists what each site holds', async () => {
    const registered = await call(vendor, 'POST', '/v1/sites', {
      name: 'Plant 3',
      siteKey: generateKeyMaterial('ed25519').publicKey,
    });
    const siteId = (registered.body.site as { id: string }).id;
    const { licenses } = await vendor.issue({ items: { cad: { nodes: 4 } } }, 2);
    const [usable, suspended] = licenses.map((license) => license.serial);
    await vendor.admin('POST', `/v1/licenses/${suspended}/suspend`, {});
    const outcomes = [
      await call(vendor, 'POST', `/v1/sites/${siteId}/licenses`, { license: usable }),
      await call(vendor, 'POST', `/v1/sites/${siteId}/licenses`, { license: suspended }),
      await call(vendor, 'POST', '/v1/sites/sit_00000000000000000000000000/licenses', { license: usable }),
      await call(vendor, 'POST', `/v1/sites/${siteId}/licenses`, { license: 'lic_unknown' }),
    ];
    assert.deepEqual(
      outcomes.map((outcome) => [outcome.status, outcome.body.code ?? outcome.body.serial]),
      [
        [201, usable],
        [403, 'LICENSE_SUSPENDED'],
        [404, 'SITE_NOT_FOUND'],
        [404, 'LICENSE_NOT_FOUND'],
      ],
    );
    const { sites } = await vendor.admin<{ sites: Array<{ id: string; serials: string[] }> }>(
      'GET',
      '/v1/sites',
    );
    assert.deepEqual(sites.find((site) => site.id === siteId)?.serials, [usable]);
  });
});
