import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

/** Every admin route, refused to every caller it does not belong to. */
const ADMIN_ROUTES: ReadonlyArray<readonly ['GET' | 'POST' | 'DELETE', string, unknown?]> = [
  ['POST', '/v1/products', { code: 'x1', name: 'X' }],
  ['GET', '/metrics'],
  ['GET', '/v1/products'],
  ['POST', '/v1/policies', { product: 'x1', name: 'p' }],
  ['GET', '/v1/policies'],
  ['GET', '/v1/products/x1/sdk-config'],
  ['POST', '/v1/licenses', { policy: 'pol_x' }],
  ['GET', '/v1/licenses'],
  ['GET', '/v1/licenses/lic_x'],
  ['POST', '/v1/licenses/lic_x/suspend', {}],
  ['POST', '/v1/licenses/lic_x/reinstate', {}],
  ['POST', '/v1/licenses/lic_x/release', { reason: 'computer died' }],
  ['POST', '/v1/licenses/lic_x/transfers', { add: 1, reason: 'goodwill' }],
  ['POST', '/v1/licenses/lic_x/revoke', { reason: 'refunded' }],
  ['POST', '/v1/updates', { request: 'x', operations: [{ op: 'set-expiry', expiresAt: null }] }],
  ['POST', '/v1/licenses/lic_x/updates', { operations: [{ op: 'set-expiry', expiresAt: null }] }],
  ['GET', '/v1/licenses/lic_x/updates'],
  ['POST', '/v1/dealers', { login: 'acme', name: 'Acme', email: 'a@acme.example' }],
  ['GET', '/v1/dealers'],
  ['GET', '/v1/dealers/acme'],
  [
    'POST',
    '/v1/orders',
    { dealer: 'acme', product: 'x1', items: [{ item: 'cad', kind: 'nodes', count: 1 }] },
  ],
  ['GET', '/v1/orders'],
  ['GET', '/v1/orders/ord_x'],
  ['POST', '/v1/orders/ord_x/authorize', {}],
  ['POST', '/v1/orders/ord_x/cancel', {}],
  ['POST', '/v1/orders/ord_x/unlock', {}],
  ['POST', '/v1/sites', { name: 'Plant', siteKey: 'A'.repeat(43) }],
  ['GET', '/v1/sites'],
  ['GET', '/v1/sites/sit_00000000000000000000000000/certificate'],
  ['POST', '/v1/sites/sit_00000000000000000000000000/licenses', { license: 'lic_x' }],
  ['GET', '/v1/sites/sit_00000000000000000000000000'],
  ['POST', '/v1/licenses/lic_x/renewals', { renewal: 'lic_y' }],
  ['GET', '/v1/renewals'],
  ['DELETE', '/v1/renewals/ren_x'],
];

const CALLERS: ReadonlyArray<readonly [string, Record<string, string>]> = [
  ['no token', {}],
  ['an empty bearer', { authorization: 'Bearer ' }],
  ['a made-up admin token', { authorization: 'Bearer kw_admin_not-a-real-token-at-all-0000000000000000' }],
  ['a token without its scheme', { authorization: 'kw_admin_x' }],
  ['basic auth', { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }],
];

describe('admin API security', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  for (const [method, path, body] of ADMIN_ROUTES) {
    for (const [caller, headers] of CALLERS) {
      it(`${method} ${path} refuses ${caller} with UNAUTHORIZED`, async () => {
        const response = await fetch(`${vendor.url}${path}`, {
          method,
          headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        assert.equal(response.status, 401);
        assert.equal(((await response.json()) as { code: string }).code, 'UNAUTHORIZED');
      });
    }
  }

  it('the admin token is stored only as a hash', async () => {
    const rows = await vendor.server.context.db.selectFrom('api_tokens').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.ok(rows.every((row) => !JSON.stringify(row).includes(vendor.token)));
  });

  it("the vendor's private keys are stored locked, never in the clear", async () => {
    const rows = await vendor.server.context.db.selectFrom('vendor_keys').selectAll().execute();
    assert.equal(rows.length, 2);
    for (const row of rows)
      assert.match(row.locked_seed, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('a second start on the same data reuses the keys and prints no new token', async () => {
    const keys = vendor.server.context.keyring.publicKeys;
    const again = await vendor.restart();
    assert.equal(again.bootstrap.adminToken, undefined);
    assert.deepEqual(again.bootstrap.createdKeys, []);
    assert.deepEqual(again.context.keyring.publicKeys, keys);
  });
});
