import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testComputer } from './support/computer.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

interface Problem {
  readonly code: string;
  readonly message: string;
  readonly requestId: string;
}

describe('rate limits: wrong tokens per address, activations per serial', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor({ KEYWARD_RATE_AUTH_FAILURES: '5', KEYWARD_RATE_ACTIVATIONS: '3' });
  });
  after(() => vendor.close());

  it('a serial activated over and over is slowed down; another serial and the periodic check are not', async () => {
    const issued = await vendor.issue({ maxTransfers: null }, 2);
    const [busy, other] = [issued.licenses[0]?.serial ?? '', issued.licenses[1]?.serial ?? ''];
    const pc = await testComputer('rate-busy', issued.sdkConfig);
    for (let round = 0; round < 3; round++)
      assert.ok((await pc.restart().activate(busy)).ok, `round ${round}`);
    const refused = await pc.restart().activate(busy.toLowerCase());
    assert.equal(refused.ok ? 'ok' : refused.error.code, 'RATE_LIMITED');
    const checked = await pc.restart().check();
    assert.ok(checked.ok, 'the periodic check still answers');
    const elsewhere = await testComputer('rate-other', issued.sdkConfig);
    assert.ok((await elsewhere.client.activate(other)).ok);
  });

  // Last: from here on this address is turned away from the admin API for a minute.
  it('an address presenting wrong tokens gets 429 with Retry-After once over the limit, before any token is looked at', async () => {
    const wrong = { authorization: `Bearer kw_admin_${'B'.repeat(43)}` };
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8; attempt++)
      statuses.push((await fetch(`${vendor.url}/v1/licenses`, { headers: wrong })).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    const limited = await fetch(`${vendor.url}/v1/licenses`, {
      headers: { authorization: `Bearer ${vendor.token}` },
    });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    const problem = (await limited.json()) as Problem;
    assert.equal(problem.code, 'RATE_LIMITED');
    assert.match(problem.message, /try again in \d+ s/);
    assert.ok(problem.requestId.length > 0);
  });

  it('machines are not held up by the admin API limit', async () => {
    const keys = await fetch(`${vendor.url}/v1/vendor/keys`);
    assert.equal(keys.status, 200);
  });

  it('the limits are settings, refused outside 1 to 1000000', async () => {
    const { readServerConfig } = await import('@keyward/server');
    for (const name of ['KEYWARD_RATE_AUTH_FAILURES', 'KEYWARD_RATE_ACTIVATIONS'])
      for (const value of ['0', 'lots', '1.5', '1000001']) {
        const config = readServerConfig({ [name]: value });
        assert.equal(config.ok ? 'ok' : config.error.code, 'CONFIG_INVALID', `${name}=${value}`);
      }
  });

  it('behind a trusted proxy (KEYWARD_TRUST_PROXY), each caller is counted by its forwarded address', async () => {
    const proxied = await startTestVendor({
      KEYWARD_RATE_AUTH_FAILURES: '2',
      KEYWARD_TRUST_PROXY: '127.0.0.1',
    });
    try {
      const from = async (address: string) =>
        (
          await fetch(`${proxied.url}/v1/products`, {
            headers: { authorization: 'Bearer wrong', 'x-forwarded-for': address },
          })
        ).status;
      const first = [await from('203.0.113.5'), await from('203.0.113.5'), await from('203.0.113.5')];
      assert.deepEqual(first, [401, 401, 429]);
      assert.equal(await from('203.0.113.6'), 401, 'another caller behind the same proxy is not held up');
    } finally {
      await proxied.close();
    }
  });

  it('KEYWARD_TRUST_PROXY takes a number of hops or addresses, nothing else', async () => {
    const { readServerConfig } = await import('@keyward/server');
    const cases: ReadonlyArray<[string, string]> = [
      ['1', 'ok'],
      ['10.0.0.0/8, ::1', 'ok'],
      ['127.0.0.1', 'ok'],
      ['yes', 'CONFIG_INVALID'],
      ['10.0.0.0/33', 'CONFIG_INVALID'],
      ['10.0.0.1/8/9', 'CONFIG_INVALID'],
      ['proxy.example', 'CONFIG_INVALID'],
    ];
    for (const [value, expected] of cases) {
      const config = readServerConfig({ KEYWARD_TRUST_PROXY: value });
      assert.equal(config.ok ? 'ok' : config.error.code, expected, value);
    }
  });
});
