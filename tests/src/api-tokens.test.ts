import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keyward } from './support/cli.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

interface TokenView {
  readonly id: string;
  readonly scope: string;
  readonly state: string;
  readonly expiresAt: string | null;
}

describe('API tokens: scoped, expiring, revocable', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  const request = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${vendor.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as { code?: string; message?: string };
    return { status: response.status, code: answer.code, message: answer.message };
  };
  const create = (body: Record<string, unknown>) =>
    vendor.admin<{ token: string; record: TokenView }>('POST', '/v1/tokens', body);

  it('a read token reads and changes nothing; the token is answered once, never listed', async () => {
    const { token, record } = await create({ name: 'dashboard', scope: 'read' });
    assert.match(token, /^kw_read_[A-Za-z0-9_-]{43}$/);
    assert.equal((await request(token, 'GET', '/v1/licenses')).status, 200);
    const refused = await request(token, 'POST', '/v1/products', { code: 'sneaky', name: 'Sneaky' });
    assert.equal(refused.code, 'FORBIDDEN');
    assert.match(refused.message ?? '', /read token may not do this/);
    const { tokens } = await vendor.admin<{ tokens: TokenView[] }>('GET', '/v1/tokens');
    assert.deepEqual(
      tokens.find((listed) => listed.id === record.id),
      { ...record, state: 'active' },
    );
    assert.ok(!JSON.stringify(tokens).includes(token));
  });

  it('a revoked token is refused at once, with the date it was revoked', async () => {
    const { token, record } = await create({ name: 'contractor', scope: 'support' });
    assert.equal((await request(token, 'GET', '/v1/products')).status, 200);
    const revoked = await vendor.admin<TokenView>('POST', `/v1/tokens/${record.id}/revoke`, {});
    assert.equal(revoked.state, 'revoked');
    const refused = await request(token, 'GET', '/v1/products');
    assert.equal(refused.code, 'UNAUTHORIZED');
    assert.match(refused.message ?? '', /was revoked on \d{4}-\d\d-\d\d/);
  });

  it('a token stops working when it expires', async () => {
    const expiresAt = new Date(vendor.clock.now().getTime() + 3_600_000).toISOString();
    const { token } = await create({ name: 'one hour', scope: 'read', expiresAt });
    assert.equal((await request(token, 'GET', '/v1/products')).status, 200);
    vendor.clock.advanceSeconds(3_601);
    const refused = await request(token, 'GET', '/v1/products');
    assert.equal(refused.code, 'UNAUTHORIZED');
    assert.match(refused.message ?? '', /expired on/);
  });

  it('refuses an expiry in the past, a dealer token without its dealer, and a dealer for another scope', async () => {
    const past = new Date(vendor.clock.now().getTime() - 1000).toISOString();
    for (const body of [
      { name: 'late', scope: 'read', expiresAt: past },
      { name: 'nobody', scope: 'dealer' },
      { name: 'mixed', scope: 'admin', dealer: 'acme' },
      { name: 'bell\u0007', scope: 'read' },
      { name: 'root', scope: 'root' },
    ]) {
      const refused = await request(vendor.token, 'POST', '/v1/tokens', body);
      assert.equal(refused.code, 'VALIDATION_FAILED', JSON.stringify(body));
    }
  });

  it('a dealer token sees and places only its own dealer\u2019s orders', async () => {
    const issued = await vendor.issue();
    for (const login of ['north', 'south'])
      await vendor.admin('POST', '/v1/dealers', { login, name: login, email: `${login}@dealers.example` });
    const { token } = await create({ name: 'north portal', scope: 'dealer', dealer: 'north' });
    const items = [{ item: 'cad', kind: 'nodes', count: 1 }];
    const southOrder = await vendor.admin<{ id: string }>('POST', '/v1/orders', {
      dealer: 'south',
      product: issued.product.code,
      items,
    });
    const placed = await request(token, 'POST', '/v1/orders', {
      dealer: 'north',
      product: issued.product.code,
      items,
    });
    assert.equal(placed.status, 201);
    const forOther = await request(token, 'POST', '/v1/orders', {
      dealer: 'south',
      product: issued.product.code,
      items,
    });
    assert.equal(forOther.code, 'FORBIDDEN');
    assert.equal((await request(token, 'GET', `/v1/orders/${southOrder.id}`)).code, 'ORDER_NOT_FOUND');
    const listed = await fetch(`${vendor.url}/v1/orders`, { headers: { authorization: `Bearer ${token}` } });
    const { orders } = (await listed.json()) as { orders: { dealerId: string }[] };
    assert.equal(orders.length, 1);
    assert.equal(
      (await request(token, 'POST', `/v1/orders/${southOrder.id}/authorize`, {})).code,
      'FORBIDDEN',
    );
  });

  it('keyward admin token create|list|revoke: the token printed once, expiry as the last valid day', async () => {
    const env = { KEYWARD_URL: vendor.url, KEYWARD_TOKEN: vendor.token };
    const created = await keyward(
      ['admin', 'token', 'create', '--name', 'nightly export', '--scope', 'read', '--expires', '2099-03-31'],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const secret = /kw_read_[A-Za-z0-9_-]{43}/.exec(created.stdout)?.[0];
    assert.ok(secret, created.stdout);
    assert.match(created.stdout, /valid through 2099-03-31/);
    const id = /tok_\w+/.exec(created.stdout)?.[0] ?? '';
    const listed = await keyward(['admin', 'token', 'list'], env);
    assert.match(listed.stdout, new RegExp(`${id}\\s+read\\s+active\\s+nightly export`));
    assert.ok(!listed.stdout.includes(secret));
    assert.equal((await keyward(['admin', 'token', 'revoke', id], env)).code, 0);
    const refused = await keyward(['admin', 'product', 'list'], {
      KEYWARD_URL: vendor.url,
      KEYWARD_TOKEN: secret,
    });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /UNAUTHORIZED/);
    const wrongScope = await keyward(['admin', 'token', 'create', '--name', 'x', '--scope', 'root'], env);
    assert.notEqual(wrongScope.code, 0);
    assert.match(wrongScope.stderr, /--scope is one of admin, support, read, dealer/);
  });

  // Last: it revokes the token the other tests use.
  it('the last usable admin token cannot be revoked; with another one it can', async () => {
    const { tokens } = await vendor.admin<{ tokens: (TokenView & { name: string })[] }>('GET', '/v1/tokens');
    const bootstrap = tokens.find((token) => token.name === 'bootstrap');
    assert.ok(bootstrap);
    const refused = await request(vendor.token, 'POST', `/v1/tokens/${bootstrap.id}/revoke`, {});
    assert.equal(refused.code, 'LAST_ADMIN_TOKEN');
    const { token: second } = await create({ name: 'second admin', scope: 'admin' });
    const revoked = await request(second, 'POST', `/v1/tokens/${bootstrap.id}/revoke`, {});
    assert.equal(revoked.status, 200);
    assert.equal((await request(vendor.token, 'GET', '/v1/products')).code, 'UNAUTHORIZED');
  });
});
