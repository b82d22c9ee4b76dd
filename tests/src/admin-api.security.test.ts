import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AccessLevel, scopePermits, scopesGranted, TOKEN_SCOPES, type TokenScope } from '@keyward/core';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

/**
 * Who may call each operation of the served OpenAPI document: `public`, or the access it needs.
 * The table is compared with the document both ways, so a new route fails here until it has a rule.
 */
const RULES: Readonly<Record<string, 'public' | AccessLevel>> = {
  health: 'public',
  ready: 'public',
  listVendorKeys: 'public',
  activate: 'public',
  checkLicense: 'public',
  deactivate: 'public',
  pullUpdates: 'public',
  processOrderOnline: 'public',
  fetchRenewal: 'public',
  reportSite: 'public',
  metrics: 'read',
  createToken: 'admin',
  listTokens: 'admin',
  revokeToken: 'admin',
  listAudit: 'read',
  verifyAudit: 'read',
  createProduct: 'admin',
  listProducts: 'read',
  editProduct: 'admin',
  archiveProduct: 'admin',
  createPolicy: 'admin',
  listPolicies: 'read',
  editPolicy: 'admin',
  archivePolicy: 'admin',
  getSdkConfig: 'read',
  createLicenses: 'admin',
  listLicenses: 'read',
  getLicense: 'read',
  editLicense: 'support',
  archiveLicense: 'admin',
  suspendLicense: 'support',
  reinstateLicense: 'support',
  unlockLicense: 'support',
  releaseLicense: 'support',
  grantLicenseTransfers: 'support',
  revokeLicense: 'admin',
  createUpdate: 'admin',
  queueUpdate: 'admin',
  listUpdates: 'read',
  getUpdateFile: 'read',
  createWebhook: 'admin',
  listWebhooks: 'read',
  disableWebhook: 'admin',
  listWebhookDeliveries: 'read',
  rotateWebhookSecret: 'admin',
  createDealer: 'admin',
  listDealers: 'read',
  getDealer: 'read',
  createOrder: 'orders',
  listOrders: 'orders',
  getOrder: 'orders',
  authorizeOrder: 'admin',
  cancelOrder: 'admin',
  unlockOrder: 'admin',
  registerSite: 'admin',
  listSites: 'read',
  showSite: 'read',
  getSiteCertificate: 'read',
  issueSiteLicense: 'admin',
  tieRenewal: 'admin',
  listRenewals: 'read',
  removeRenewal: 'admin',
};

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly operationId: string;
  readonly security: ReadonlyArray<Readonly<Record<string, readonly string[]>>> | undefined;
}

/** Every operation the server documents, with its path parameters filled in. */
async function documentedOperations(url: string): Promise<Operation[]> {
  const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { operationId?: string; security?: Operation['security'] }>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path: path.replace(/\{[^}]+\}/g, 'x-unknown'),
      operationId: operation.operationId ?? `${method} ${path}`,
      security: operation.security,
    })),
  );
}

const BAD_CALLERS: ReadonlyArray<readonly [string, Record<string, string>]> = [
  ['no token', {}],
  ['an empty bearer', { authorization: 'Bearer ' }],
  ['a made-up admin token', { authorization: `Bearer kw_admin_${'A'.repeat(43)}` }],
  ['a token without its scheme', { authorization: 'kw_admin_x' }],
  ['basic auth', { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }],
];

async function call(vendor: TestVendor, operation: Operation, headers: Record<string, string>) {
  const hasBody = operation.method !== 'GET' && operation.method !== 'DELETE';
  // An empty object is the wrong shape for nearly every body: authentication must answer first.
  const response = await fetch(`${vendor.url}${operation.path}`, {
    method: operation.method,
    headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
    body: hasBody ? '{}' : undefined,
  });
  const text = await response.text();
  return {
    status: response.status,
    code: text.startsWith('{') ? (JSON.parse(text) as { code?: string }).code : undefined,
  };
}

describe('admin API security', () => {
  let vendor: TestVendor;
  before(async () => {
    // This test presents hundreds of wrong tokens on purpose; rate-limits.test.ts tests the limit.
    vendor = await startTestVendor({ KEYWARD_RATE_AUTH_FAILURES: '1000000' });
  });
  after(() => vendor.close());

  let operations: Operation[] = [];
  const tokens = {} as Record<TokenScope, string>;
  before(async () => {
    operations = await documentedOperations(vendor.url);
    await vendor.admin('POST', '/v1/dealers', { login: 'acme', name: 'Acme', email: 'a@acme.example' });
    for (const scope of TOKEN_SCOPES) {
      const body = { name: `${scope} caller`, scope, ...(scope === 'dealer' ? { dealer: 'acme' } : {}) };
      tokens[scope] = (await vendor.admin<{ token: string }>('POST', '/v1/tokens', body)).token;
    }
  });

  it('every documented operation has a rule, and every rule a documented operation', () => {
    const documented = operations.map((operation) => operation.operationId).sort();
    assert.deepEqual(documented, Object.keys(RULES).sort());
  });

  it("each operation's OpenAPI security says what its rule says", () => {
    for (const operation of operations) {
      const rule = RULES[operation.operationId];
      const expected =
        rule === 'public' || rule === undefined ? [] : [{ apiToken: [...scopesGranted(rule)] }];
      assert.deepEqual(operation.security ?? [], expected, operation.operationId);
    }
  });

  it('callers without a usable token are refused UNAUTHORIZED before their input is looked at', async () => {
    for (const operation of operations) {
      if (RULES[operation.operationId] === 'public') continue;
      for (const [caller, headers] of BAD_CALLERS) {
        const answer = await call(vendor, operation, headers);
        assert.deepEqual(
          answer,
          { status: 401, code: 'UNAUTHORIZED' },
          `${operation.operationId}, ${caller}`,
        );
      }
    }
  });

  it('public operations ask for no token', async () => {
    for (const operation of operations) {
      if (RULES[operation.operationId] !== 'public') continue;
      const answer = await call(vendor, operation, {});
      assert.notEqual(answer.status, 401, operation.operationId);
      assert.notEqual(answer.status, 403, operation.operationId);
    }
  });

  it('each scope reaches exactly the operations its rule grants, and is FORBIDDEN the rest', async () => {
    for (const operation of operations) {
      const rule = RULES[operation.operationId];
      if (rule === 'public' || rule === undefined) continue;
      for (const scope of TOKEN_SCOPES) {
        const answer = await call(vendor, operation, { authorization: `Bearer ${tokens[scope]}` });
        const where = `${operation.operationId} with a ${scope} token`;
        if (scopePermits(scope, rule))
          assert.ok(answer.status !== 401 && answer.status !== 403, `${where}: ${answer.status}`);
        else assert.deepEqual(answer, { status: 403, code: 'FORBIDDEN' }, where);
      }
    }
  });

  it('the admin token is stored only as a hash', async () => {
    const rows = await vendor.server.context.db.selectFrom('api_tokens').selectAll().execute();
    assert.equal(rows.length, 1 + TOKEN_SCOPES.length);
    const secrets = [vendor.token, ...Object.values(tokens)];
    assert.ok(rows.every((row) => secrets.every((secret) => !JSON.stringify(row).includes(secret))));
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
