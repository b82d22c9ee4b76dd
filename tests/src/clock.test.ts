import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ReceivedError, Result } from '@keyward/core';
import { testComputer } from './support/computer.js';
import { startTestVendor, TestClock, type TestVendor } from './support/vendor-server.js';

const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);

/** These starts need no server: any request fails the test. */
const noServer: typeof fetch = async () => {
  throw new Error('this start must not ask the license server');
};

/** The computer's own clock, moved to a day counted from when the test began. */
class ComputerClock {
  private readonly clock = new TestClock();
  private day = 0;
  readonly now = () => this.clock.now();
  at(target: number): void {
    this.clock.advanceDays(target - this.day);
    this.day = target;
  }
}

describe('the clock: refused starts are remembered, and winding the clock back is caught', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('an evaluation that ended is refused EVALUATION_EXPIRED; winding the clock back into it is CLOCK_ROLLBACK', async () => {
    const { sdkConfig } = await vendor.issue({ evaluationDays: 5 });
    const clock = new ComputerClock();
    const pc = await testComputer('clock-evaluation', sdkConfig, { now: clock.now, fetch: noServer });
    const first = await pc.client.check();
    assert.ok(first.ok && first.value.mode === 'evaluation', codeOf(first));
    assert.equal(first.value.status.evaluation.daysLeft, 5);
    clock.at(1);
    const second = await pc.restart().check();
    assert.ok(second.ok && second.value.mode === 'evaluation', codeOf(second));
    assert.equal(second.value.status.evaluation.daysLeft, 4);

    clock.at(6);
    assert.equal(codeOf(await pc.restart().check()), 'EVALUATION_EXPIRED');
    // Day 2 is after every start the evaluation allowed (days 0 and 1): only the refused start at
    // day 6 tells that the clock went back.
    clock.at(2);
    assert.equal(codeOf(await pc.restart().check()), 'CLOCK_ROLLBACK');
    const status = await pc.restart().status();
    assert.ok(status.ok);
    assert.equal(status.value.verdict.code, 'CLOCK_ROLLBACK');
    clock.at(6.5);
    assert.equal(codeOf(await pc.restart().check()), 'EVALUATION_EXPIRED', 'with the clock put right');
  });

  it('an expired license is refused LICENSE_EXPIRED; winding the clock back before the expiry is CLOCK_ROLLBACK', async () => {
    const issued = await vendor.issue({ durationDays: 2, checkIntervalDays: 30 });
    const clock = new ComputerClock();
    const pc = await testComputer('clock-expired', issued.sdkConfig, { now: clock.now });
    const activated = await pc.client.activate(issued.licenses[0]?.serial);
    assert.ok(activated.ok, codeOf(activated));
    clock.at(1);
    const running = await pc.restart({ fetch: noServer }).check();
    assert.ok(running.ok && running.value.mode === 'licensed', codeOf(running));

    clock.at(3);
    assert.equal(codeOf(await pc.restart({ fetch: noServer }).check()), 'LICENSE_EXPIRED');
    clock.at(1.5);
    assert.equal(codeOf(await pc.restart({ fetch: noServer }).check()), 'CLOCK_ROLLBACK');
  });

  it('deleting the container file and the anchor at day 10 of 30 does not restart the evaluation', async () => {
    const { sdkConfig } = await vendor.issue({ evaluationDays: 30 });
    const clock = new ComputerClock();
    const pc = await testComputer('clock-deleted', sdkConfig, { now: clock.now, fetch: noServer });
    const first = await pc.client.status();
    assert.ok(first.ok && first.value.evaluation.daysLeft === 30, codeOf(first));
    clock.at(10);
    const tenth = await pc.restart().check();
    assert.ok(tenth.ok && tenth.value.mode === 'evaluation', codeOf(tenth));
    assert.equal(tenth.value.status.evaluation.daysLeft, 20);

    await rm(await containerFile(pc.home));
    await rm(pc.anchorDir, { recursive: true });
    const status = await pc.restart().status();
    assert.ok(status.ok, codeOf(status));
    assert.equal(status.value.state, 'evaluation');
    assert.equal(status.value.evaluation.daysLeft, 20);
    assert.deepEqual(status.value.verdict, { kind: 'evaluation', daysLeft: 20 });
    const checked = await pc.restart().check();
    assert.ok(checked.ok && checked.value.mode === 'evaluation', codeOf(checked));
    assert.equal(checked.value.status.evaluation.daysLeft, 20);
  });

  it('after the evaluation ended, deleting the container file and the anchor and winding the clock back is still caught', async () => {
    const { sdkConfig } = await vendor.issue({ evaluationDays: 5 });
    const clock = new ComputerClock();
    const pc = await testComputer('clock-deleted-ended', sdkConfig, { now: clock.now, fetch: noServer });
    assert.ok((await pc.client.check()).ok);
    clock.at(6);
    assert.equal(codeOf(await pc.restart().check()), 'EVALUATION_EXPIRED');

    await rm(await containerFile(pc.home));
    await rm(pc.anchorDir, { recursive: true });
    clock.at(4);
    const wound = await pc.restart().check();
    assert.equal(codeOf(wound), 'CLOCK_ROLLBACK', 'the marker remembers the refused start at day 6');
    clock.at(6.5);
    assert.equal(codeOf(await pc.restart().check()), 'EVALUATION_EXPIRED');
  });
});

/** The one license container file in a computer's home directory. */
async function containerFile(home: string): Promise<string> {
  const [name] = (await readdir(home)).filter((file) => file.endsWith('.kwlic'));
  assert.ok(name, 'the container file exists');
  return join(home, name);
}
