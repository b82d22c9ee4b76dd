import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReceivedError, Result } from '@keyward/core';
import { type TestComputer, testComputer } from './support/computer.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);

/** A network this test can unplug: while down, every request fails as a lost connection does. */
class Network {
  up = true;
  readonly fetch: typeof fetch = async (input, init) => {
    if (!this.up) throw new TypeError('fetch failed (network unplugged by the test)');
    return fetch(input, init);
  };
}

describe('grace period when a due online check cannot reach the server', () => {
  let vendor: TestVendor;
  /** Days the vendor's clock (which every computer here shares) has moved in the current test. */
  let day = 0;
  const at = (target: number) => {
    vendor.clock.advanceDays(target - day);
    day = target;
  };

  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  /** A computer with the license of a new policy activated online at day 0 of its test. */
  async function activatedAtDayZero(name: string, policy: { graceDays: number; checkIntervalDays: number }) {
    day = 0;
    const issued = await vendor.issue(policy);
    const serial = issued.licenses[0]?.serial ?? '';
    const network = new Network();
    const pc = await testComputer(name, issued.sdkConfig, {
      now: () => vendor.clock.now(),
      fetch: network.fetch,
    });
    const activated = await pc.client.activate(serial);
    assert.ok(activated.ok, codeOf(activated));
    assert.equal(activated.value.status.license?.graceDays, policy.graceDays);
    return { pc, network, serial };
  }

  async function stateOf(pc: TestComputer) {
    const status = await pc.restart().status();
    assert.ok(status.ok, codeOf(status));
    return status.value.state;
  }

  it('runs in grace until the next check date plus graceDays, then stops; back online it is licensed again', async () => {
    const { pc, network } = await activatedAtDayZero('grace', { graceDays: 3, checkIntervalDays: 1 });
    at(0.5);
    const early = await pc.restart().check();
    assert.ok(early.ok, codeOf(early));
    assert.deepEqual([early.value.mode, early.value.online], ['licensed', false], 'no check due yet');

    network.up = false;
    at(2);
    const grace = await pc.restart().check();
    assert.ok(grace.ok, codeOf(grace));
    assert.equal(grace.value.mode, 'grace');
    assert.equal(grace.value.online, false);
    assert.equal(grace.value.grace?.daysLeft, 2);
    assert.equal(grace.value.status.state, 'grace');
    assert.equal(await stateOf(pc), 'grace');

    at(3.5);
    const later = await pc.restart().check();
    assert.ok(later.ok, codeOf(later));
    assert.equal(later.value.mode, 'grace');
    assert.equal(later.value.grace?.daysLeft, 1);
    assert.equal(await stateOf(pc), 'grace');
    const shown = await pc.restart().status();
    assert.ok(shown.ok);
    assert.deepEqual([shown.value.verdict.kind, shown.value.verdict.daysLeft], ['grace', 1]);

    at(4.1);
    const ended = await pc.restart().check();
    assert.equal(codeOf(ended), 'GRACE_PERIOD_ENDED');
    assert.equal(codeOf(await pc.restart().check()), 'GRACE_PERIOD_ENDED', 'and at every start after it');
    const over = await pc.restart().status();
    assert.ok(over.ok && over.value.verdict.code === 'GRACE_PERIOD_ENDED', 'the key status says so too');

    network.up = true;
    at(4.2);
    const back = await pc.restart().check();
    assert.ok(back.ok, codeOf(back));
    assert.deepEqual([back.value.mode, back.value.online], ['licensed', true]);
    assert.equal(back.value.status.state, 'active');
    assert.equal(await stateOf(pc), 'active');
    const next = Date.parse(back.value.status.license?.nextCheckAt ?? '');
    assert.ok(next > vendor.clock.now().getTime(), 'the next check is in the future again');
    const offline = await pc.restart().check();
    assert.ok(offline.ok && offline.value.mode === 'licensed' && !offline.value.online);
  });

  it('an unsigned refusal is a network failure: grace, not frozen', async () => {
    const { pc } = await activatedAtDayZero('grace-unsigned', { graceDays: 3, checkIntervalDays: 1 });
    at(2);
    const forged = pc.restart({
      fetch: async () =>
        new Response(JSON.stringify({ code: 'LICENSE_SUSPENDED', message: 'Suspended (not really).' }), {
          status: 403,
          headers: { 'content-type': 'application/problem+json' },
        }),
    });
    const checked = await forged.check();
    assert.ok(checked.ok, codeOf(checked));
    assert.equal(checked.value.mode, 'grace');
    assert.equal(await stateOf(pc), 'grace');
  });

  it('a license suspended during grace freezes at the next check that reaches the server; offline it stays frozen', async () => {
    const { pc, network, serial } = await activatedAtDayZero('grace-suspended', {
      graceDays: 3,
      checkIntervalDays: 1,
    });
    network.up = false;
    at(2);
    const grace = await pc.restart().check();
    assert.ok(grace.ok && grace.value.mode === 'grace', codeOf(grace));

    await vendor.admin('POST', `/v1/licenses/${serial}/suspend`, { reason: 'unpaid invoice' });
    network.up = true;
    at(2.5);
    const suspended = await pc.restart().check();
    assert.equal(codeOf(suspended), 'LICENSE_SUSPENDED');
    const status = await pc.restart().status();
    assert.ok(status.ok);
    assert.equal(status.value.state, 'frozen');
    assert.equal(status.value.lastRefusal?.code, 'LICENSE_SUSPENDED');

    network.up = false;
    at(2.6);
    const offline = await pc.restart().check();
    assert.equal(codeOf(offline), 'LICENSE_FROZEN', 'no grace for a frozen license');
    assert.equal(await stateOf(pc), 'frozen');
  });

  it('with graceDays 0, a due check that cannot reach the server is refused with the network code and changes nothing', async () => {
    const { pc, network } = await activatedAtDayZero('grace-none', { graceDays: 0, checkIntervalDays: 1 });
    network.up = false;
    at(1.5);
    const before = await pc.restart().status();
    assert.ok(before.ok);
    const refused = await pc.restart().check();
    assert.equal(codeOf(refused), 'NETWORK_UNAVAILABLE');
    const afterwards = await pc.restart().status();
    assert.ok(afterwards.ok);
    assert.equal(afterwards.value.state, 'active');
    assert.deepEqual(
      [afterwards.value.license, afterwards.value.contents, afterwards.value.lastRefusal],
      [before.value.license, before.value.contents, before.value.lastRefusal],
    );
    assert.equal(afterwards.value.verdict.kind, 'check-online', 'the check is still due');

    network.up = true;
    const back = await pc.restart().check();
    assert.ok(back.ok && back.value.online && back.value.status.state === 'active', codeOf(back));
  });
});
