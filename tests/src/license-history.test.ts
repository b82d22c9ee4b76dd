import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { restoreOlderContainer, testComputer } from './support/computer.js';
import { queueUpdate, updateFromRequest } from './support/updates.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

interface Listed {
  readonly sequence: number;
  readonly reportedSequence: number;
  readonly updates: ReadonlyArray<{ id: string; toSequence: number; transport: string; applied: boolean }>;
}

interface HistoryEntry {
  readonly kind: 'license' | 'machine';
  readonly type: string;
  readonly detail: Record<string, unknown>;
  readonly createdAt: string;
}

describe("a license's updates: how each travels and whether the key applied it", () => {
  let vendor: TestVendor;
  let issued: Issued;
  before(async () => {
    vendor = await startTestVendor();
    issued = await vendor.issue({ items: { cad: { seats: 1 } } });
  });
  after(() => vendor.close());

  const listed = () => vendor.admin<Listed>('GET', `/v1/licenses/${issued.licenses[0]?.serial}/updates`);
  const applied = async () => (await listed()).updates.map((u) => [u.transport, u.applied]);

  it('an update is applied once a container of the license reports its step', async () => {
    const serial = issued.licenses[0]?.serial ?? '';
    const pc = await testComputer('receipts', issued.sdkConfig);
    assert.ok((await pc.client.activate(serial)).ok);

    const request = await pc.restart().updates.createRequest();
    assert.ok(request.ok);
    const byFile = await updateFromRequest(vendor, request.value, [
      { op: 'add-seats', item: 'cad', kind: 'seats', count: 1 },
    ]);
    assert.equal(byFile.status, 201);
    assert.deepEqual(await applied(), [['file', false]]);
    assert.ok((await pc.restart().updates.apply(byFile.body.file)).ok);
    assert.deepEqual(await applied(), [['file', false]], 'applied, but not reported yet');

    await queueUpdate(vendor, serial, [{ op: 'add-seats', item: 'cad', kind: 'seats', count: 1 }]);
    const pulled = await pc.restart().updates.pull();
    assert.ok(pulled.ok && pulled.value.length === 1);
    assert.deepEqual(await applied(), [
      ['file', true],
      ['online', false],
    ]);
    const again = await pc.restart().updates.pull();
    assert.ok(again.ok && again.value.length === 0);
    const record = await listed();
    assert.deepEqual([record.sequence, record.reportedSequence], [2, 2]);
    assert.deepEqual(await applied(), [
      ['file', true],
      ['online', true],
    ]);
  });

  it('a step no update brought is never taken for a receipt', async () => {
    const store = vendor.server.context.updates;
    await store.recordReportedStep(issued.licenses[0]?.id ?? '', 99);
    await store.recordReportedStep(issued.licenses[0]?.id ?? '', 1);
    assert.equal((await listed()).reportedSequence, 2);
  });
});

describe("a license's history: its events, with refused requests and releases from the audit log", () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('merges a refused activation and a release with the license events, in time order', async () => {
    const issued = await vendor.issue();
    const serial = issued.licenses[0]?.serial ?? '';
    const a = await testComputer('history-a', issued.sdkConfig);
    const b = await testComputer('history-b', issued.sdkConfig);
    assert.ok((await a.client.activate(serial)).ok);
    vendor.clock.advanceSeconds(1);
    const refused = await b.client.activate(serial);
    assert.equal(refused.ok ? 'granted' : refused.error.code, 'SERIAL_BOUND_ELSEWHERE');
    vendor.clock.advanceSeconds(1);
    assert.ok((await a.restart().deactivate()).ok);

    const { history } = await vendor.admin<{ history: HistoryEntry[] }>('GET', `/v1/licenses/${serial}`);
    assert.deepEqual(
      history.map((entry) => [entry.kind, entry.type]),
      [
        ['license', 'created'],
        ['license', 'activated'],
        ['machine', 'activate.refused'],
        ['license', 'deactivated'],
        ['machine', 'deactivate'],
      ],
    );
    assert.equal(history[2]?.detail.code, 'SERIAL_BOUND_ELSEWHERE');
    const times = history.map((entry) => entry.createdAt);
    assert.deepEqual(times, [...times].sort());
  });

  it('shows a tamper report of the computer that blocked its license', async () => {
    const issued = await vendor.issue({ maxTransfers: null });
    const serial = issued.licenses[0]?.serial ?? '';
    const pc = await testComputer('history-tamper', issued.sdkConfig);
    await restoreOlderContainer(pc, serial);
    assert.ok((await pc.restart().activate(serial)).ok);
    const { history } = await vendor.admin<{ history: HistoryEntry[] }>('GET', `/v1/licenses/${serial}`);
    assert.deepEqual(
      history.filter((entry) => entry.kind === 'machine').map((entry) => entry.type),
      ['deactivate', 'tamper.reported'],
    );
  });
});
