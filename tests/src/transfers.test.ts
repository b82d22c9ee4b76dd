import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testComputer } from './support/computer.js';
import { machineState, startTestVendor, type TestVendor } from './support/vendor-server.js';

describe("transfers count against the policy's limit", () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('allows as many transfers as the policy says, then refuses with TRANSFER_LIMIT_REACHED and keeps the license where it is', async () => {
    const issued = await vendor.issue({ maxTransfers: 1 });
    const serial = issued.licenses[0]?.serial ?? '';
    const a = await testComputer('limit-a', issued.sdkConfig);
    const b = await testComputer('limit-b', issued.sdkConfig);
    assert.ok((await a.client.activate(serial)).ok);
    const first = await a.client.deactivate();
    assert.ok(first.ok);
    assert.deepEqual([first.value.transfersUsed, first.value.maxTransfers], [1, 1]);
    assert.equal(first.value.status.license, null, 'the released grant is gone from the container');
    assert.ok((await b.client.activate(serial)).ok);

    const state = await machineState(vendor);
    const second = await b.client.deactivate();
    assert.equal(second.ok ? 'ok' : second.error.code, 'TRANSFER_LIMIT_REACHED');
    assert.ok(!second.ok && /1 of 1/.test(second.error.message), 'the message says how many of how many');
    assert.equal(await machineState(vendor), state, 'nothing changed on the server');
    const stillB = await b.restart().check();
    assert.ok(stillB.ok && stillB.value.status.state === 'active', 'B keeps its license');
  });

  it('refuses every transfer when the policy allows none', async () => {
    const issued = await vendor.issue({ maxTransfers: 0 });
    const a = await testComputer('none-a', issued.sdkConfig);
    assert.ok((await a.client.activate(issued.licenses[0]?.serial)).ok);
    const refused = await a.client.deactivate();
    assert.equal(refused.ok ? 'ok' : refused.error.code, 'TRANSFER_LIMIT_REACHED');
  });

  it('places no limit when the policy says unlimited', async () => {
    const issued = await vendor.issue({ maxTransfers: null });
    const serial = issued.licenses[0]?.serial ?? '';
    const computers = [
      await testComputer('free-a', issued.sdkConfig),
      await testComputer('free-b', issued.sdkConfig),
    ];
    for (let round = 0; round < 6; round++) {
      const pc = computers[round % 2];
      assert.ok(pc);
      const activated = await pc.restart().activate(serial);
      assert.ok(activated.ok, `round ${round}`);
      const released = await pc.restart().deactivate();
      assert.equal(
        released.ok ? released.value.transfersUsed : released.error.code,
        round + 1,
        `round ${round}`,
      );
    }
  });
});
