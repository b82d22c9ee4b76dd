import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashPassword, type ReceivedError, type Result, type UpdateOperation } from '@keyward/core';
import { type TestComputer, testComputer } from './support/computer.js';
import { queueUpdate, updateFromRequest } from './support/updates.js';
import { type Issued, machineState, startTestVendor, type TestVendor } from './support/vendor-server.js';

const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);

/** Every operation, each with what the key holds afterwards. */
const OPERATIONS: ReadonlyArray<[UpdateOperation, (pc: TestComputer) => Promise<unknown>, unknown]> = [
  [
    { op: 'set-expiry', expiresAt: '2031-01-01T00:00:00.000Z' },
    async (pc) => (await pc.client.status()).ok && (await status(pc)).contents.expiresAt,
    '2031-01-01T00:00:00.000Z',
  ],
  [{ op: 'add-seats', item: 'cad', kind: 'nodes', count: 5 }, (pc) => seats(pc, 'cad', 'nodes'), 15],
  [{ op: 'set-seats', item: 'cad', kind: 'servers', count: 3 }, (pc) => seats(pc, 'cad', 'servers'), 3],
  [{ op: 'add-seats', item: 'viewer', kind: 'users', count: 25 }, (pc) => seats(pc, 'viewer', 'users'), 25],
  [{ op: 'set-counter', name: 'exports', value: 50 }, (pc) => counter(pc, 'exports'), 50],
  [{ op: 'increment-counter', name: 'exports', by: 10 }, (pc) => counter(pc, 'exports'), 60],
  [{ op: 'decrement-counter', name: 'exports', by: 20 }, (pc) => counter(pc, 'exports'), 40],
  [
    { op: 'set-password', name: 'admin', hash: hashPassword('open sesame') },
    (pc) => password(pc, 'admin', 'open sesame'),
    true,
  ],
  [
    { op: 'write-memory', name: 'license_key', data: Buffer.from('ABC-123').toString('base64') },
    (pc) => memory(pc, 'license_key'),
    'ABC-123',
  ],
  [{ op: 'delete-memory', name: 'license_key' }, (pc) => memory(pc, 'license_key'), 'NAME_NOT_FOUND'],
  [
    { op: 'set-verification', verification: 'off' },
    async (pc) => (await status(pc)).contents.verification,
    'off',
  ],
];

async function status(pc: TestComputer) {
  const result = await pc.restart().status();
  assert.ok(result.ok);
  return result.value;
}
async function seats(pc: TestComputer, item: string, kind: string) {
  const result = await pc.restart().contents.seats(item, kind);
  return result.ok ? result.value : result.error.code;
}
async function counter(pc: TestComputer, name: string) {
  const result = await pc.restart().contents.counter(name);
  return result.ok ? result.value : result.error.code;
}
async function password(pc: TestComputer, name: string, given: string) {
  const result = await pc.restart().contents.verifyPassword(name, given);
  return result.ok ? result.value : result.error.code;
}
async function memory(pc: TestComputer, name: string) {
  const result = await pc.restart().contents.readMemory(name);
  return result.ok ? result.value.toString() : result.error.code;
}

describe('remote update by request and update files', () => {
  let vendor: TestVendor;
  let issued: Issued;
  let pc: TestComputer;
  let firstFile = '';

  before(async () => {
    vendor = await startTestVendor();
    issued = await vendor.issue({ items: { cad: { servers: 1, nodes: 10 } }, counters: { exports: 0 } }, 3);
    pc = await testComputer('updates', issued.sdkConfig);
    assert.ok((await pc.client.activate(issued.licenses[0]?.serial)).ok);
  });
  after(() => vendor.close());

  it('starts from the contents of the policy', async () => {
    const before = await status(pc);
    assert.deepEqual(before.contents.items, { cad: { servers: 1, nodes: 10 } });
    assert.deepEqual(before.contents.counters, { exports: 0 });
    assert.equal(before.sequence, 0);
  });

  for (const [index, [operation, read, expected]] of OPERATIONS.entries()) {
    it(`round trip of ${operation.op}: request file -> vendor -> update file -> applied`, async () => {
      const request = await pc.restart().updates.createRequest();
      assert.ok(request.ok, codeOf(request));
      assert.match(request.value, /^-----BEGIN KEYWARD LICENSE REQUEST-----/);
      const { status: httpStatus, body } = await updateFromRequest(vendor, request.value, [operation]);
      assert.equal(httpStatus, 201, JSON.stringify(body));
      if (index === 0) firstFile = body.file;
      const applied = await pc.restart().updates.apply(body.file);
      assert.ok(applied.ok, codeOf(applied));
      assert.deepEqual([applied.value.fromSequence, applied.value.toSequence], [index, index + 1]);
      assert.deepEqual(await read(pc), expected);
    });
  }

  it('online round trip of every operation: queued by the vendor, pulled and applied by the key', async () => {
    const online = await testComputer('updates-online', issued.sdkConfig);
    const serial = issued.licenses[2]?.serial ?? '';
    assert.ok((await online.client.activate(serial)).ok);
    for (const [operation, read, expected] of OPERATIONS) {
      await queueUpdate(vendor, serial, [operation]);
      const pulled = await online.restart().updates.pull();
      assert.ok(pulled.ok && pulled.value.length === 1, `${operation.op}: ${codeOf(pulled)}`);
      assert.deepEqual(await read(online), expected, operation.op);
    }
  });

  it('the vendor keeps the same record and the history of every update', async () => {
    const record = await vendor.admin<{
      sequence: number;
      contents: { counters: Record<string, number> };
      updates: unknown[];
    }>('GET', `/v1/licenses/${issued.licenses[0]?.serial}/updates`);
    assert.equal(record.sequence, OPERATIONS.length);
    assert.equal(record.updates.length, OPERATIONS.length);
    assert.equal((await status(pc)).sequence, OPERATIONS.length);
  });

  it('applying the same file twice: the second says already applied and changes nothing', async () => {
    const request = await pc.restart().updates.createRequest();
    assert.ok(request.ok);
    const { body } = await updateFromRequest(vendor, request.value, [
      { op: 'add-seats', item: 'cad', kind: 'nodes', count: 1 },
    ]);
    assert.ok((await pc.restart().updates.apply(body.file)).ok);
    const before = await status(pc);
    assert.equal(codeOf(await pc.restart().updates.apply(body.file)), 'ALREADY_APPLIED');
    const afterwards = await status(pc);
    assert.deepEqual([afterwards.sequence, afterwards.contents], [before.sequence, before.contents]);
  });

  it('refuses an update for another key (WRONG_KEY), an older one, and one out of order, changing nothing', async () => {
    const other = await testComputer('updates-other', issued.sdkConfig);
    assert.ok((await other.client.activate(issued.licenses[1]?.serial)).ok);
    const otherRequest = await other.client.updates.createRequest();
    assert.ok(otherRequest.ok);
    const forOther = await updateFromRequest(vendor, otherRequest.value, [
      { op: 'set-counter', name: 'exports', value: 1 },
    ]);
    const before = await status(pc);
    assert.equal(codeOf(await pc.restart().updates.apply(forOther.body.file)), 'WRONG_KEY');

    const first = await queueUpdate(vendor, issued.licenses[0]?.serial ?? '', [
      { op: 'add-seats', item: 'cad', kind: 'servers', count: 1 },
    ]);
    const second = await queueUpdate(vendor, issued.licenses[0]?.serial ?? '', [
      { op: 'add-seats', item: 'cad', kind: 'servers', count: 1 },
    ]);
    assert.equal(codeOf(await pc.restart().updates.apply(second.file)), 'PACKAGE_OUT_OF_ORDER');
    assert.deepEqual((await status(pc)).contents, before.contents);
    assert.ok((await pc.restart().updates.apply(first.file)).ok);
    assert.ok((await pc.restart().updates.apply(second.file)).ok);

    // Deactivated and activated again, the key takes the vendor's record anew and forgets which
    // packages it applied: an old package is then recognised by its step alone.
    assert.ok((await pc.restart().deactivate()).ok);
    assert.ok((await pc.restart().activate()).ok);
    const reactivated = await status(pc);
    assert.equal(codeOf(await pc.restart().updates.apply(firstFile)), 'PACKAGE_OUTDATED');
    assert.deepEqual(await status(pc), reactivated);
  });

  it('refuses a request whose contents differ from the record: FROM_MISMATCH naming what differs', async () => {
    const pcSerial = issued.licenses[0]?.serial ?? '';
    const request = await pc.restart().updates.createRequest();
    assert.ok(request.ok);
    await queueUpdate(vendor, pcSerial, [{ op: 'set-seats', item: 'cad', kind: 'servers', count: 9 }]);
    const state = await machineState(vendor);
    const stale = await updateFromRequest(vendor, request.value, [
      { op: 'set-counter', name: 'exports', value: 1 },
    ]);
    assert.equal(stale.body.code, 'FROM_MISMATCH');
    assert.match(
      stale.body.message ?? '',
      /update step \d+; the vendor's record is at step \d+: apply the updates issued since first/,
    );
    assert.equal(await machineState(vendor), state);
    assert.ok((await pc.restart().updates.pull()).ok);
  });

  it('online: the container pulls and applies the pending updates in order', async () => {
    const serial = issued.licenses[0]?.serial ?? '';
    const before = await status(pc);
    await queueUpdate(vendor, serial, [{ op: 'set-expiry', expiresAt: '2032-02-02T00:00:00.000Z' }]);
    await queueUpdate(vendor, serial, [{ op: 'add-seats', item: 'cam', kind: 'users', count: 2 }]);
    const pulled = await pc.restart().updates.pull();
    assert.ok(pulled.ok, codeOf(pulled));
    assert.equal(pulled.value.length, 2);
    const afterwards = await status(pc);
    assert.equal(afterwards.sequence, before.sequence + 2);
    assert.equal(afterwards.contents.expiresAt, '2032-02-02T00:00:00.000Z');
    assert.equal(afterwards.contents.items.cam?.users, 2);
    const again = await pc.restart().updates.pull();
    assert.ok(again.ok && again.value.length === 0, 'nothing left to pull');
  });

  it('the application consumes a usage counter, refused at zero without a change', async () => {
    const serial = issued.licenses[0]?.serial ?? '';
    await queueUpdate(vendor, serial, [{ op: 'set-counter', name: 'exports', value: 2 }]);
    assert.ok((await pc.restart().updates.pull()).ok);
    assert.deepEqual(await pc.restart().contents.decrementCounter('exports'), { ok: true, value: 1 });
    assert.deepEqual(await pc.restart().contents.decrementCounter('exports'), { ok: true, value: 0 });
    assert.equal(codeOf(await pc.restart().contents.decrementCounter('exports')), 'COUNTER_EXHAUSTED');
    assert.equal(await counter(pc, 'exports'), 0);
    // The vendor takes the consumed value from the next request: no FROM_MISMATCH for counters.
    const request = await pc.restart().updates.createRequest();
    assert.ok(request.ok);
    const refill = await updateFromRequest(vendor, request.value, [
      { op: 'increment-counter', name: 'exports', by: 5 },
    ]);
    assert.equal(refill.status, 201);
    assert.ok((await pc.restart().updates.apply(refill.body.file)).ok);
    assert.equal(await counter(pc, 'exports'), 5);
  });
});
