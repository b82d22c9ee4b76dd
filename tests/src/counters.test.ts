import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { License, ReceivedError, Result } from '@keyward/core';
import { type TestComputer, testComputer } from './support/computer.js';
import { queueUpdate } from './support/updates.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);

/** Uses left of a counter, read by the application started afresh. */
async function left(pc: TestComputer, name = 'runs'): Promise<number | string> {
  const result = await pc.restart().contents.counter(name);
  return result.ok ? result.value : result.error.code;
}

async function statusOf(pc: TestComputer) {
  const status = await pc.restart().status();
  assert.ok(status.ok, codeOf(status));
  return status.value;
}

describe('counter consumption follows the license from computer to computer and never refills', () => {
  let vendor: TestVendor;
  let issued: Issued;
  let serial: string;
  const computers: Record<string, TestComputer> = {};
  const pc = (name: string): TestComputer => computers[name] ?? assert.fail(`no computer ${name}`);

  const vendorConsumed = async () =>
    (await vendor.admin<{ license: License }>('GET', `/v1/licenses/${serial}`)).license.consumed;

  before(async () => {
    vendor = await startTestVendor();
    issued = await vendor.issue({ counters: { runs: 10 }, maxTransfers: null });
    serial = issued.licenses[0]?.serial ?? '';
    for (const name of ['a', 'b', 'c']) {
      computers[name] = await testComputer(`counters-${name}`, issued.sdkConfig, {
        now: () => vendor.clock.now(),
      });
    }
  });
  after(() => vendor.close());

  it('A uses part of the allowance; the deactivation reports it to the vendor', async () => {
    assert.ok((await pc('a').client.activate(serial)).ok);
    assert.equal(await left(pc('a')), 10);
    for (let run = 0; run < 2; run++) assert.ok((await pc('a').client.contents.decrementCounter('runs')).ok);
    const more = await pc('a').client.contents.decrementCounter('runs', 2);
    assert.deepEqual(more.ok ? more.value : more.error.code, 6);
    assert.equal(await left(pc('a')), 6);
    assert.deepEqual(await vendorConsumed(), {}, 'nothing reported before the transfer');

    const released = await pc('a').client.deactivate();
    assert.ok(released.ok, codeOf(released));
    assert.deepEqual(await vendorConsumed(), { runs: 4 });
  });

  it("B activates with the allowance less A's consumption, drains it, and may not go below zero", async () => {
    const activated = await pc('b').client.activate(serial);
    assert.ok(activated.ok, codeOf(activated));
    assert.deepEqual(activated.value.status.contents.counters, { runs: 6 });
    assert.deepEqual(activated.value.status.contents.consumed, { runs: 4 });
    assert.equal(await left(pc('b')), 6);

    const tooMany = await pc('b').client.contents.decrementCounter('runs', 7);
    assert.equal(codeOf(tooMany), 'COUNTER_EXHAUSTED');
    assert.equal(await left(pc('b')), 6, 'a refused decrement uses up nothing');

    const drained = await pc('b').client.contents.decrementCounter('runs', 6);
    assert.deepEqual(drained.ok ? drained.value : drained.error.code, 0);
    const before = await statusOf(pc('b'));
    const exhausted = await pc('b').restart().contents.decrementCounter('runs');
    assert.equal(codeOf(exhausted), 'COUNTER_EXHAUSTED');
    assert.ok(
      !exhausted.ok && /0 uses left/.test(exhausted.error.message),
      'the message says how many are left',
    );
    const afterwards = await statusOf(pc('b'));
    assert.deepEqual(
      [afterwards.revision, afterwards.contents.counters, afterwards.contents.consumed],
      [before.revision, { runs: 0 }, { runs: 10 }],
      'the refusal changed nothing on disk',
    );
  });

  it('after B releases it, A and then a fresh computer C get the license back with 0 left: never refilled', async () => {
    assert.ok((await pc('b').client.deactivate()).ok);
    assert.deepEqual(await vendorConsumed(), { runs: 10 });

    const again = await pc('a').restart().activate(serial);
    assert.ok(again.ok, codeOf(again));
    assert.deepEqual(again.value.status.contents.counters, { runs: 0 });
    assert.equal(await left(pc('a')), 0);
    assert.equal(codeOf(await pc('a').restart().contents.decrementCounter('runs')), 'COUNTER_EXHAUSTED');
    assert.ok((await pc('a').restart().deactivate()).ok);

    const fresh = await pc('c').client.activate(serial);
    assert.ok(fresh.ok, codeOf(fresh));
    assert.equal(await left(pc('c')), 0);
    assert.equal(codeOf(await pc('c').restart().contents.decrementCounter('runs')), 'COUNTER_EXHAUSTED');
    assert.deepEqual(await vendorConsumed(), { runs: 10 });
  });

  it('a top-up pulled by the key raises the remaining count by exactly the top-up', async () => {
    await queueUpdate(vendor, serial, [{ op: 'increment-counter', name: 'runs', by: 5 }]);
    const pulled = await pc('c').restart().updates.pull();
    assert.ok(pulled.ok && pulled.value.length === 1, codeOf(pulled));
    assert.equal(await left(pc('c')), 5);
    assert.ok((await pc('c').restart().contents.decrementCounter('runs', 2)).ok);
    assert.equal(await left(pc('c')), 3);
  });

  it('a top-up delivered by the next online check adds exactly the top-up; the check reports the consumption', async () => {
    await queueUpdate(vendor, serial, [{ op: 'increment-counter', name: 'runs', by: 4 }]);
    assert.equal(await left(pc('c')), 3, 'nothing changes before the key hears of it');
    vendor.clock.advanceDays(31);
    const checked = await pc('c').restart().check();
    assert.ok(checked.ok, codeOf(checked));
    assert.deepEqual([checked.value.mode, checked.value.online], ['licensed', true]);
    assert.deepEqual(checked.value.status.contents.counters, { runs: 7 });
    assert.equal(await left(pc('c')), 7);
    assert.deepEqual(await vendorConsumed(), { runs: 12 }, 'the online check reported the two uses on C');
  });
});
