import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatFingerprint, type ReceivedError, type Result } from '@keyward/core';
import { testComputer } from './support/computer.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);
const parts = { machine: 'm-1', cpu: 'xeon-8', memory: '16', network: 'aa:bb', host: 'ws-7' };
const offline: typeof fetch = async () => {
  throw new Error('offline');
};

describe('fingerprints matched part by part: one hardware change is the same computer', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('a RAM upgrade: licensed offline, and the next online check moves the binding along', async () => {
    const issued = await vendor.issue({ checkIntervalDays: 1 });
    const serial = issued.licenses[0]?.serial ?? '';
    const pc = await testComputer('ram', issued.sdkConfig, { fingerprint: formatFingerprint(parts) });
    assert.ok((await pc.client.activate(serial)).ok);
    const upgraded = formatFingerprint({ ...parts, memory: '64' });
    const away = await pc.restart({ fingerprint: upgraded, fetch: offline }).check();
    assert.ok(away.ok && away.value.mode === 'licensed', codeOf(away));
    const online = await pc.restart({ fingerprint: upgraded }).activate(serial);
    assert.ok(online.ok, codeOf(online));
    const { history } = await vendor.admin<{
      history: Array<{ type: string; detail: { hardware?: boolean } }>;
    }>('GET', `/v1/licenses/${serial}`);
    assert.ok(history.some((event) => event.type === 'rebound' && event.detail.hardware === true));
    // And then a new network card: one more change from where the binding now is.
    const again = formatFingerprint({ ...parts, memory: '64', network: 'cc:dd' });
    assert.ok((await pc.restart({ fingerprint: again, fetch: offline }).check()).ok);
  });

  it('two changes at once is another computer: refused offline and online, until the support desk releases it', async () => {
    const issued = await vendor.issue({ checkIntervalDays: 1 });
    const serial = issued.licenses[0]?.serial ?? '';
    const pc = await testComputer('two', issued.sdkConfig, { fingerprint: formatFingerprint(parts) });
    assert.ok((await pc.client.activate(serial)).ok);
    const moved = formatFingerprint({ ...parts, memory: '64', network: 'cc:dd' });
    assert.equal(codeOf(await pc.restart({ fingerprint: moved, fetch: offline }).check()), 'WRONG_COMPUTER');
    const other = await testComputer('two-b', issued.sdkConfig, { fingerprint: moved });
    assert.equal(codeOf(await other.client.activate(serial)), 'SERIAL_BOUND_ELSEWHERE');
    await vendor.admin('POST', `/v1/licenses/${serial}/release`, {
      reason: 'mainboard and network card replaced',
    });
    // Activating on the changed computer is how its user recovers: the old grant gives way.
    assert.equal(codeOf(await pc.restart({ fingerprint: moved }).activate(serial)), 'ok');
    assert.equal(codeOf(await pc.restart({ fingerprint: moved, fetch: offline }).check()), 'ok');
  });

  it('a container copied from another computer gives way when the serial is activated here', async () => {
    const issued = await vendor.issue({});
    const serial = issued.licenses[0]?.serial ?? '';
    const a = await testComputer('copied-a', issued.sdkConfig);
    assert.ok((await a.client.activate(serial)).ok);
    const b = await testComputer('copied-b', issued.sdkConfig);
    await mkdir(b.home, { recursive: true });
    for (const file of await readdir(a.home)) await copyFile(join(a.home, file), join(b.home, file));
    assert.equal(codeOf(await b.restart().status()), 'WRONG_COMPUTER');
    assert.equal(codeOf(await b.restart().activate(serial)), 'SERIAL_BOUND_ELSEWHERE');
    assert.ok((await a.restart().deactivate()).ok);
    assert.equal(codeOf(await b.restart().activate(serial)), 'ok');
  });

  it('a copied container on a computer with another machine id does not open', async () => {
    const issued = await vendor.issue({});
    const serial = issued.licenses[0]?.serial ?? '';
    const pc = await testComputer('clone', issued.sdkConfig, { fingerprint: formatFingerprint(parts) });
    assert.ok((await pc.client.activate(serial)).ok);
    const clone = formatFingerprint({ ...parts, machine: 'm-2' });
    assert.equal(codeOf(await pc.restart({ fingerprint: clone, fetch: offline }).check()), 'WRONG_COMPUTER');
  });
});
