import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { License, Policy, Product } from '@keyward/core';
import { testComputer } from './support/computer.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

interface Answer<T> {
  readonly status: number;
  readonly body: T & { code?: string };
}

/** An admin request answered or refused, with its status and body as they came. */
async function call<T>(vendor: TestVendor, method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const response = await fetch(`${vendor.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${vendor.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T & { code?: string } };
}

/** The catalogue as stored, to prove that a refusal changed nothing. */
async function catalogueState(vendor: TestVendor): Promise<string> {
  const db = vendor.server.context.db;
  const tables = await Promise.all([
    db.selectFrom('products').selectAll().orderBy('id').execute(),
    db.selectFrom('policies').selectAll().orderBy('id').execute(),
    db.selectFrom('licenses').selectAll().orderBy('id').execute(),
    db.selectFrom('license_contents').selectAll().orderBy('license_id').execute(),
  ]);
  return JSON.stringify(tables);
}

let codes = 0;
const newCode = () => `cat-${++codes}`;

async function product(vendor: TestVendor): Promise<Product> {
  return vendor.admin<Product>('POST', '/v1/products', { code: newCode(), name: 'Catalogue test' });
}

async function policy(vendor: TestVendor, productCode: string, name: string, more = {}): Promise<Policy> {
  return vendor.admin<Policy>('POST', '/v1/policies', { product: productCode, name, ...more });
}

async function issue(vendor: TestVendor, body: Record<string, unknown>): Promise<License> {
  const { licenses } = await vendor.admin<{ licenses: License[] }>('POST', '/v1/licenses', body);
  const [license] = licenses;
  if (license === undefined) throw new Error('no license issued');
  return license;
}

describe('catalogue: edit and archive products, policies and licenses', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('renames a product; its code stays', async () => {
    const made = await product(vendor);
    const edited = await call<Product>(vendor, 'PATCH', `/v1/products/${made.code}`, { name: 'Renamed' });
    assert.equal(edited.status, 200);
    assert.deepEqual([edited.body.id, edited.body.code, edited.body.name], [made.id, made.code, 'Renamed']);
    const refused = await call(vendor, 'PATCH', `/v1/products/${made.code}`, { code: 'other' });
    assert.deepEqual([refused.status, refused.body.code], [400, 'VALIDATION_FAILED']);
    const missing = await call(vendor, 'PATCH', '/v1/products/no-such-product', { name: 'x' });
    assert.deepEqual([missing.status, missing.body.code], [404, 'PRODUCT_NOT_FOUND']);
  });

  it('an archived product takes no new policies or licenses, keeps its licenses working, and lists only when asked', async () => {
    const made = await product(vendor);
    const standard = await policy(vendor, made.code, 'Standard');
    const sold = await issue(vendor, { policy: standard.id });
    const sdkConfig = await vendor.admin<never>('GET', `/v1/products/${made.code}/sdk-config`);

    const archived = await call<Product>(vendor, 'POST', `/v1/products/${made.code}/archive`, {
      reason: 'EOL',
    });
    assert.equal(archived.status, 200);
    assert.ok(archived.body.archivedAt);
    const again = await call<Product>(vendor, 'POST', `/v1/products/${made.id}/archive`, {});
    assert.equal(again.body.archivedAt, archived.body.archivedAt, 'archiving twice changes nothing');

    const before = await catalogueState(vendor);
    const newPolicy = await call(vendor, 'POST', '/v1/policies', { product: made.code, name: 'Other' });
    assert.deepEqual([newPolicy.status, newPolicy.body.code], [409, 'PRODUCT_ARCHIVED']);
    const newLicense = await call(vendor, 'POST', '/v1/licenses', { policy: standard.id });
    assert.deepEqual([newLicense.status, newLicense.body.code], [409, 'PRODUCT_ARCHIVED']);
    assert.equal(await catalogueState(vendor), before);

    const current = await vendor.admin<{ products: Product[] }>('GET', '/v1/products');
    assert.ok(!current.products.some((p) => p.id === made.id));
    const only = await vendor.admin<{ products: Product[] }>('GET', '/v1/products?archived=only');
    assert.deepEqual(
      only.products.map((p) => p.id),
      [made.id],
    );

    const pc = await testComputer('archived-product', sdkConfig);
    const activated = await pc.client.activate(sold.serial);
    assert.ok(activated.ok, activated.ok ? '' : activated.error.code);
  });

  it('edits a policy for the licenses issued from now on; those issued keep their terms', async () => {
    const made = await product(vendor);
    const standard = await policy(vendor, made.code, 'Standard', { items: { cad: { seats: 1 } } });
    const sold = await issue(vendor, { policy: standard.id });
    const edited = await call<Policy>(vendor, 'PATCH', `/v1/policies/${standard.id}`, {
      name: 'Standard 2027',
      items: { cad: { seats: 5 } },
      durationDays: 365,
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.deepEqual(
      [edited.body.name, edited.body.items, edited.body.durationDays, edited.body.checkIntervalDays],
      ['Standard 2027', { cad: { seats: 5 } }, 365, standard.checkIntervalDays],
    );
    const record = (ref: string) =>
      vendor.admin<{ contents: { items: unknown; expiresAt: string | null } }>(
        'GET',
        `/v1/licenses/${ref}/updates`,
      );
    assert.deepEqual((await record(sold.serial)).contents, {
      ...(await record(sold.serial)).contents,
      items: { cad: { seats: 1 } },
      expiresAt: null,
    });
    const fresh = await issue(vendor, { policy: 'Standard 2027', product: made.code });
    assert.deepEqual((await record(fresh.serial)).contents.items, { cad: { seats: 5 } });
    assert.ok(fresh.expiresAt !== null);
  });

  it('refuses to edit the terms issued licenses read at their checks, and a name another policy has, changing nothing', async () => {
    const made = await product(vendor);
    const standard = await policy(vendor, made.code, 'Standard');
    await policy(vendor, made.code, 'Site');
    const before = await catalogueState(vendor);
    for (const body of [{ checkIntervalDays: 1 }, { maxTransfers: null }, { graceDays: 0 }, {}]) {
      const refused = await call(vendor, 'PATCH', `/v1/policies/${standard.id}`, body);
      assert.deepEqual([refused.status, refused.body.code], [400, 'VALIDATION_FAILED'], JSON.stringify(body));
    }
    const taken = await call(vendor, 'PATCH', `/v1/policies/${standard.id}`, {
      name: 'Site',
      evaluationDays: 3,
    });
    assert.deepEqual([taken.status, taken.body.code], [409, 'POLICY_NAME_TAKEN']);
    assert.equal(await catalogueState(vendor), before);
  });

  it('an archived policy issues no new license; its licenses keep working', async () => {
    const made = await product(vendor);
    const standard = await policy(vendor, made.code, 'Standard');
    const sold = await issue(vendor, { policy: standard.id });
    const archived = await call<Policy>(
      vendor,
      'POST',
      `/v1/policies/Standard/archive?product=${made.code}`,
      {},
    );
    assert.equal(archived.status, 200);
    assert.ok(archived.body.archivedAt);
    const before = await catalogueState(vendor);
    const refused = await call(vendor, 'POST', '/v1/licenses', { policy: standard.id });
    assert.deepEqual([refused.status, refused.body.code], [409, 'POLICY_ARCHIVED']);
    assert.equal(await catalogueState(vendor), before);
    const listed = await vendor.admin<{ policies: Policy[] }>('GET', `/v1/policies?product=${made.code}`);
    assert.deepEqual(listed.policies, []);
    const all = await vendor.admin<{ policies: Policy[] }>(
      'GET',
      `/v1/policies?product=${made.code}&archived=include`,
    );
    assert.deepEqual(
      all.policies.map((p) => p.id),
      [standard.id],
    );
    const sdkConfig = await vendor.admin<never>(
      'GET',
      `/v1/products/${made.code}/sdk-config?policy=${standard.id}`,
    );
    const pc = await testComputer('archived-policy', sdkConfig);
    assert.ok((await pc.client.activate(sold.serial)).ok);
  });

  it("edits a license's note; archives it only once it can no longer be used, hiding it and refusing its updates", async () => {
    const made = await product(vendor);
    const standard = await policy(vendor, made.code, 'Standard');
    const sold = await issue(vendor, { policy: standard.id, note: 'ACME' });
    const noted = await call<License>(vendor, 'PATCH', `/v1/licenses/${sold.serial}`, {
      note: 'ACME, order 7',
    });
    assert.deepEqual([noted.status, noted.body.note], [200, 'ACME, order 7']);

    const before = await catalogueState(vendor);
    const inUse = await call(vendor, 'POST', `/v1/licenses/${sold.serial}/archive`, {});
    assert.deepEqual([inUse.status, inUse.body.code], [409, 'LICENSE_STILL_VALID']);
    await vendor.admin('POST', `/v1/licenses/${sold.serial}/suspend`, {});
    const suspended = await call(vendor, 'POST', `/v1/licenses/${sold.serial}/archive`, {});
    assert.deepEqual([suspended.status, suspended.body.code], [409, 'LICENSE_STILL_VALID']);
    await vendor.admin('POST', `/v1/licenses/${sold.serial}/reinstate`, {});
    assert.equal(await catalogueState(vendor), before);

    await vendor.admin('POST', `/v1/licenses/${sold.serial}/revoke`, { reason: 'chargeback' });
    const archived = await call<License>(vendor, 'POST', `/v1/licenses/${sold.serial}/archive`, {
      reason: 'closed',
    });
    assert.equal(archived.status, 200);
    assert.ok(archived.body.archivedAt);
    const again = await call<License>(vendor, 'POST', `/v1/licenses/${sold.id}/archive`, {});
    assert.equal(again.body.archivedAt, archived.body.archivedAt);

    const listed = await vendor.admin<{ licenses: License[] }>('GET', `/v1/licenses?product=${made.code}`);
    assert.deepEqual(listed.licenses, []);
    const only = await vendor.admin<{ licenses: License[] }>(
      'GET',
      `/v1/licenses?product=${made.code}&archived=only`,
    );
    assert.deepEqual(
      only.licenses.map((l) => l.id),
      [sold.id],
    );
    const update = await call(vendor, 'POST', `/v1/licenses/${sold.serial}/updates`, {
      operations: [{ op: 'set-expiry', expiresAt: null }],
    });
    assert.deepEqual([update.status, update.body.code], [409, 'LICENSE_ARCHIVED']);
    const shown = await vendor.admin<{ history: Array<{ type: string }> }>(
      'GET',
      `/v1/licenses/${sold.serial}`,
    );
    assert.deepEqual(
      shown.history.map((event) => event.type),
      ['created', 'edited', 'suspended', 'reinstated', 'revoked', 'archived'],
    );
  });

  it('archives an expired license', async () => {
    const made = await product(vendor);
    const standard = await policy(vendor, made.code, 'Standard', { durationDays: 1 });
    const sold = await issue(vendor, { policy: standard.id });
    vendor.clock.advanceDays(2);
    const archived = await call<License>(vendor, 'POST', `/v1/licenses/${sold.serial}/archive`, {});
    assert.equal(archived.status, 200, JSON.stringify(archived.body));
  });
});

describe('catalogue: policy names', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('a name is unique within a product, not across products', async () => {
    const cad = await product(vendor);
    const cam = await product(vendor);
    await policy(vendor, cad.code, 'Standard');
    await policy(vendor, cam.code, 'Standard');
    const before = await catalogueState(vendor);
    const taken = await call(vendor, 'POST', '/v1/policies', { product: cad.code, name: 'Standard' });
    assert.deepEqual([taken.status, taken.body.code], [409, 'POLICY_NAME_TAKEN']);
    assert.equal(await catalogueState(vendor), before);
  });

  it('of policies created with one name at once, one wins', async () => {
    const made = await product(vendor);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        call(vendor, 'POST', '/v1/policies', { product: made.code, name: 'Race' }),
      ),
    );
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
    const { policies } = await vendor.admin<{ policies: Policy[] }>(
      'GET',
      `/v1/policies?product=${made.code}`,
    );
    assert.equal(policies.length, 1);
  });

  it('a policy by name: within its product when the name is used by several', async () => {
    const cad = await product(vendor);
    const cam = await product(vendor);
    const gold = await policy(vendor, cad.code, 'Gold only here');
    const cadStandard = await policy(vendor, cad.code, 'Std');
    await policy(vendor, cam.code, 'Std');

    assert.equal((await issue(vendor, { policy: 'Gold only here' })).policyId, gold.id);
    const before = await catalogueState(vendor);
    const ambiguous = await call<{ facts?: { products: string[] } }>(vendor, 'POST', '/v1/licenses', {
      policy: 'Std',
    });
    assert.deepEqual([ambiguous.status, ambiguous.body.code], [409, 'POLICY_AMBIGUOUS']);
    assert.deepEqual(ambiguous.body.facts?.products.sort(), [cad.id, cam.id].sort());
    const unknown = await call(vendor, 'POST', '/v1/licenses', { policy: 'Platinum', product: cad.code });
    assert.deepEqual([unknown.status, unknown.body.code], [404, 'POLICY_NOT_FOUND']);
    const otherProduct = await call(vendor, 'POST', '/v1/licenses', { policy: gold.id, product: cam.code });
    assert.deepEqual([otherProduct.status, otherProduct.body.code], [404, 'POLICY_NOT_FOUND']);
    assert.equal(await catalogueState(vendor), before);

    const sold = await issue(vendor, { policy: 'Std', product: cad.code });
    assert.equal(sold.policyId, cadStandard.id);
    const listed = await vendor.admin<{ licenses: License[] }>(
      'GET',
      `/v1/licenses?policy=Std&product=${cad.code}`,
    );
    assert.deepEqual(
      listed.licenses.map((l) => l.id),
      [sold.id],
    );
    const edited = await call<Policy>(vendor, 'PATCH', `/v1/policies/Std?product=${cam.code}`, {
      evaluationDays: 7,
    });
    assert.equal(edited.body.evaluationDays, 7);
    const config = await vendor.admin<{ evaluationDays: number }>(
      'GET',
      `/v1/products/${cam.code}/sdk-config?policy=Std`,
    );
    assert.equal(config.evaluationDays, 7);
  });
});
