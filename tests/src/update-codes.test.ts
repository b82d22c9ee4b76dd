import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReceivedError, Result, UpdateOperation } from '@keyward/core';
import { type TestComputer, testComputer } from './support/computer.js';
import { machineState, startTestVendor, type TestVendor } from './support/vendor-server.js';

const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);

interface CodeAnswer {
  activationCode?: string;
  file?: string;
  code?: string;
  message?: string;
}

async function byCode(
  vendor: TestVendor,
  serial: string,
  requestCode: string,
  operations: UpdateOperation[],
) {
  const response = await fetch(`${vendor.url}/v1/updates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${vendor.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ serial, requestCode, operations }),
  });
  return { status: response.status, body: (await response.json()) as CodeAnswer };
}

describe('remote update by short codes, read over the phone', () => {
  let vendor: TestVendor;
  let pc: TestComputer;
  let serial: string;

  before(async () => {
    vendor = await startTestVendor();
    const issued = await vendor.issue({
      items: { cad: { servers: 1, nodes: 10 } },
      counters: { exports: 5 },
    });
    serial = issued.licenses[0]?.serial ?? '';
    pc = await testComputer('codes', issued.sdkConfig);
    assert.ok((await pc.client.activate(serial)).ok);
  });
  after(() => vendor.close());

  const small: ReadonlyArray<
    [
      string,
      UpdateOperation[],
      (s: {
        contents: {
          expiresAt: string | null;
          items: Record<string, Record<string, number>>;
          counters: Record<string, number>;
          verification: string;
        };
      }) => unknown,
      unknown,
    ]
  > = [
    [
      'an expiry change',
      [{ op: 'set-expiry', expiresAt: '2030-12-31T00:00:00.000Z' }],
      (s) => s.contents.expiresAt,
      '2030-12-31T00:00:00.000Z',
    ],
    [
      'a seat count',
      [{ op: 'set-seats', item: 'cad', kind: 'nodes', count: 25 }],
      (s) => s.contents.items.cad?.nodes,
      25,
    ],
    [
      'added seats',
      [{ op: 'add-seats', item: 'cad', kind: 'servers', count: 2 }],
      (s) => s.contents.items.cad?.servers,
      3,
    ],
    [
      'a counter',
      [{ op: 'set-counter', name: 'exports', value: 500 }],
      (s) => s.contents.counters.exports,
      500,
    ],
    [
      'a counter raised',
      [{ op: 'increment-counter', name: 'exports', by: 100 }],
      (s) => s.contents.counters.exports,
      600,
    ],
    [
      'a counter lowered',
      [{ op: 'decrement-counter', name: 'exports', by: 1 }],
      (s) => s.contents.counters.exports,
      599,
    ],
    [
      'the verification mode',
      [{ op: 'set-verification', verification: 'off' }],
      (s) => s.contents.verification,
      'off',
    ],
  ];
  for (const [what, operations, pick, expected] of small) {
    it(`${what}: request code -> vendor -> activation code -> applied`, async () => {
      const requestCode = await pc.restart().updates.createRequestCode();
      assert.ok(requestCode.ok, codeOf(requestCode));
      assert.match(requestCode.value, /^([0-9A-Z]{5}-){4}[0-9A-Z]{5}$/);
      const { status, body } = await byCode(vendor, serial, requestCode.value, operations);
      assert.equal(status, 201, JSON.stringify(body));
      // It carries the vendor's 64-byte signature: every term must trace to one (about 30 groups).
      assert.ok(body.activationCode && body.activationCode.split('-').length <= 32, body.activationCode);
      const applied = await pc.restart().updates.applyCode(body.activationCode.toLowerCase());
      assert.ok(applied.ok, codeOf(applied));
      assert.deepEqual(pick(applied.value.status), expected);
    });
  }

  it('the same activation code twice: already applied, nothing changed', async () => {
    const requestCode = await pc.restart().updates.createRequestCode();
    assert.ok(requestCode.ok);
    const { body } = await byCode(vendor, serial, requestCode.value, [
      { op: 'add-seats', item: 'cad', kind: 'nodes', count: 1 },
    ]);
    assert.ok(body.activationCode);
    assert.ok((await pc.restart().updates.applyCode(body.activationCode)).ok);
    const before = await pc.restart().status();
    assert.equal(codeOf(await pc.restart().updates.applyCode(body.activationCode)), 'ALREADY_APPLIED');
    assert.deepEqual(await pc.restart().status(), before);
  });

  it('a mistyped group is named, on both sides', async () => {
    const requestCode = await pc.restart().updates.createRequestCode();
    assert.ok(requestCode.ok);
    const groups = requestCode.value.split('-');
    const typo = [
      groups[0],
      `${groups[1]?.slice(0, 4)}${groups[1]?.endsWith('A') ? 'B' : 'A'}`,
      ...groups.slice(2),
    ].join('-');
    const state = await machineState(vendor);
    const { status, body } = await byCode(vendor, serial, typo, [
      { op: 'set-counter', name: 'exports', value: 1 },
    ]);
    assert.equal(status, 400);
    assert.match(body.message ?? '', /Group 2 of the code/);
    assert.equal(await machineState(vendor), state);

    const { body: good } = await byCode(vendor, serial, requestCode.value, [
      { op: 'set-counter', name: 'exports', value: 1 },
    ]);
    assert.ok(good.activationCode);
    const codeGroups = good.activationCode.split('-');
    const last = codeGroups.length - 1;
    codeGroups[last] =
      `${codeGroups[last]?.slice(0, 2)}${codeGroups[last]?.[2] === 'Z' ? 'Y' : 'Z'}${codeGroups[last]?.slice(3)}`;
    const mistyped = await pc.restart().updates.applyCode(codeGroups.join('-'));
    assert.equal(codeOf(mistyped), 'CODE_MISTYPED');
    assert.ok(!mistyped.ok && mistyped.error.message.includes(`Group ${last + 1}`));
    assert.ok((await pc.restart().updates.applyCode(good.activationCode)).ok);
  });

  it('a larger update says it needs a file, and nothing is issued', async () => {
    const requestCode = await pc.restart().updates.createRequestCode();
    assert.ok(requestCode.ok);
    const state = await machineState(vendor);
    const { status, body } = await byCode(vendor, serial, requestCode.value, [
      { op: 'write-memory', name: 'license_key', data: Buffer.from('a license key').toString('base64') },
    ]);
    assert.equal(status, 422);
    assert.equal(body.code, 'UPDATE_NEEDS_FILE');
    assert.equal(await machineState(vendor), state);
  });

  it('a request code from a key whose contents moved on: FROM_MISMATCH', async () => {
    const requestCode = await pc.restart().updates.createRequestCode();
    assert.ok(requestCode.ok);
    await vendor.admin('POST', `/v1/licenses/${serial}/updates`, {
      operations: [{ op: 'set-counter', name: 'exports', value: 9 }],
    });
    const { body } = await byCode(vendor, serial, requestCode.value, [
      { op: 'set-counter', name: 'exports', value: 1 },
    ]);
    assert.equal(body.code, 'FROM_MISMATCH');
  });
});
