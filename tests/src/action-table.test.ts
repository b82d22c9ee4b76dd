import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fingerprintHash, type ReceivedError, type Result } from '@keyward/core';
import { type TestComputer, testComputer } from './support/computer.js';
import { recordingFetch } from './support/recording-fetch.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

function codeOf(result: Result<unknown, ReceivedError>): string {
  return result.ok ? 'ok' : result.error.code;
}

async function containerFile(computer: TestComputer): Promise<string> {
  const [name] = (await readdir(computer.home)).filter((file) => file.endsWith('.kwlic'));
  assert.ok(name, 'the container file exists');
  return join(computer.home, name);
}

/**
 * The "Action" table of the online-activation source document, row by row, with two computers
 * A and B against a real vendor server, ending with the cheat that tamper detection stops.
 */
describe('online activation, CheckLicense and transfer: the Action table', () => {
  let vendor: TestVendor;
  let issued: Issued;
  let serial: string;
  let a: TestComputer;
  let b: TestComputer;
  const aCalls = recordingFetch();
  const bCalls = recordingFetch();
  let savedActivatedFile: string;

  before(async () => {
    vendor = await startTestVendor();
    issued = await vendor.issue({ checkIntervalDays: 3650, evaluationDays: 30, maxTransfers: 3 });
    serial = issued.licenses[0]?.serial ?? '';
    a = await testComputer('pc-a', issued.sdkConfig, { fetch: aCalls.fetch });
    b = await testComputer('pc-b', issued.sdkConfig, { fetch: bCalls.fetch });
  });
  after(() => vendor.close());

  const binding = () => vendor.server.context.bindings.findSerial(serial).then((record) => record?.binding);
  const boundTo = async () => {
    const fingerprint = (await binding())?.fingerprintHash;
    if (fingerprint === undefined) return 'nobody';
    const product = issued.product.code;
    return (
      [a, b].find((pc) => fingerprintHash(product, `fingerprint-of-${pc.name}`) === fingerprint)?.name ??
      'a stranger'
    );
  };

  it('1. installed on PC A, first run, no serial: evaluation, no CheckLicense, no transfer', async () => {
    const run = await a.client.check();
    assert.ok(run.ok);
    assert.equal(run.value.mode, 'evaluation');
    assert.equal(run.value.online, false);
    assert.equal(run.value.status.serial, null);
    assert.equal(run.value.status.evaluation.daysLeft, 30);
    assert.equal(codeOf(await a.client.deactivate()), 'NOT_ACTIVATED');
    assert.equal(aCalls.calls.length, 0);
  });

  it('2. serial entered on PC A for e-mail or fax activation: still evaluation, no CheckLicense', async () => {
    const entered = await a.client.offline.request(serial.toLowerCase().replace(/-/g, ' '));
    assert.ok(entered.ok);
    assert.equal(entered.value.status.serial, serial);
    assert.ok(
      entered.value.status.pendingActivation !== null,
      'the Unlock Key screen appears at the next start',
    );
    const run = await a.restart().check();
    assert.ok(run.ok);
    assert.equal(run.value.mode, 'evaluation');
    assert.equal(codeOf(await a.client.deactivate()), 'NOT_ACTIVATED');
    assert.equal(aCalls.calls.length, 0);
    assert.equal(await boundTo(), 'nobody');
  });

  it('3. activated online on PC A: evaluation limit gone, serial bound in the database, first check recorded', async () => {
    const activated = await a.client.activate();
    assert.ok(activated.ok, codeOf(activated));
    assert.equal(activated.value.mode, 'licensed');
    assert.equal(activated.value.online, true);
    assert.equal(activated.value.status.state, 'active');
    assert.equal(await boundTo(), 'pc-a');
    assert.ok((await binding())?.lastCheckedAt, 'the first CheckLicense is recorded');
    savedActivatedFile = await readFile(await containerFile(a), 'utf8');
  });

  it('4. started on PC A again: activated, next online check almost 10 years away, no online check', async () => {
    const before = aCalls.calls.length;
    const run = await a.restart().check();
    assert.ok(run.ok);
    assert.equal(run.value.mode, 'licensed');
    assert.equal(run.value.online, false);
    const next = Date.parse(run.value.status.license?.nextCheckAt ?? '');
    assert.ok(next - Date.now() > 3600 * 86_400_000, 'next check about ten years away');
    assert.equal(aCalls.calls.length, before);
  });

  it('5. installed on PC B, no serial: evaluation', async () => {
    const run = await b.client.check();
    assert.ok(run.ok);
    assert.equal(run.value.mode, 'evaluation');
    assert.equal(bCalls.calls.length, 0);
  });

  it('6. serial entered and activated online on PC B while A uses it: B frozen, does not start', async () => {
    const activated = await b.client.activate(serial);
    assert.equal(codeOf(activated), 'SERIAL_BOUND_ELSEWHERE');
    const status = await b.client.status();
    assert.ok(status.ok);
    assert.equal(status.value.state, 'frozen');
    assert.equal(status.value.serial, serial);
    assert.equal(await boundTo(), 'pc-a');
  });

  it('7. PC B started again: frozen, so checked online; still bound to A, does not start', async () => {
    const before = bCalls.calls.length;
    assert.equal(codeOf(await b.restart().check()), 'SERIAL_BOUND_ELSEWHERE');
    assert.equal(bCalls.calls.length, before + 1);
  });

  it('8. user on PC A transfers the license: serial released, A frozen, transfer counted', async () => {
    const released = await a.client.deactivate();
    assert.ok(released.ok, codeOf(released));
    assert.equal(released.value.transfersUsed, 1);
    assert.equal(released.value.status.state, 'frozen');
    assert.equal(await boundTo(), 'nobody');
  });

  it('9. started on PC B: frozen, checked online, serial free, bound to B, starts', async () => {
    const run = await b.restart().check();
    assert.ok(run.ok, codeOf(run));
    assert.equal(run.value.mode, 'licensed');
    assert.equal(run.value.online, true);
    assert.equal(run.value.status.state, 'active');
    assert.equal(run.value.status.license?.transfersUsed, 1);
    assert.equal(await boundTo(), 'pc-b');
  });

  it('10. started on PC A: frozen, checked online, still bound to B, does not start', async () => {
    assert.equal(codeOf(await a.restart().check()), 'SERIAL_BOUND_ELSEWHERE');
    assert.equal(await boundTo(), 'pc-b');
  });

  it('the cheat: the activated file saved on A and restored after the transfer is tamper, and the license is blocked', async () => {
    await writeFile(await containerFile(a), savedActivatedFile);
    const before = aCalls.calls.length;
    const run = await a.restart().check();
    assert.equal(codeOf(run), 'TAMPER_DETECTED');
    assert.equal(aCalls.calls.length, before, 'the restored file is caught offline');
    const status = await a.restart().status();
    assert.ok(status.ok);
    assert.equal(status.value.state, 'blocked');
    assert.equal(status.value.verdict.code, 'TAMPER_DETECTED');
    assert.equal(codeOf(await a.restart().check()), 'TAMPER_DETECTED', 'blocked stays blocked');
    assert.equal(codeOf(await a.restart().deactivate()), 'TAMPER_DETECTED');
    const bRun = await b.restart().check();
    assert.ok(bRun.ok, 'B, the rightful holder, is unaffected');
  });
});
