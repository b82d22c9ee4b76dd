import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyContents } from './contents.js';
import {
  checkStatedFrom,
  describeOrderItems,
  orderOperations,
  readOrderItems,
  upgradeLines,
  upgradeLineText,
} from './order-items.js';
import type { OrderItem } from './orders.js';
import { applyOperations } from './update-operations.js';

const servers: OrderItem = { item: 'cad', kind: 'servers', count: 1 };
const nodes: OrderItem = { item: 'cad', kind: 'nodes', count: 448 };
const key = { ...emptyContents(), items: { cad: { servers: 1, nodes: 64 } } };

describe('what an order adds', () => {
  const descriptions: ReadonlyArray<[OrderItem[], string]> = [
    [[servers, nodes], '1 more server and 448 more nodes'],
    [[nodes], '448 more nodes'],
    [
      [servers, nodes, { item: 'viewer', kind: 'users', count: 5 }],
      '1 more server, 448 more nodes and 5 more users',
    ],
  ];
  for (const [items, text] of descriptions)
    it(`says "${text}"`, () => assert.equal(describeOrderItems(items), text));

  it('is one add-seats operation per line, which gives the To counts', () => {
    const operations = orderOperations([servers, nodes]);
    assert.deepEqual(operations, [
      { op: 'add-seats', item: 'cad', kind: 'servers', count: 1 },
      { op: 'add-seats', item: 'cad', kind: 'nodes', count: 448 },
    ]);
    const applied = applyOperations(key, operations);
    assert.ok(applied.ok);
    const lines = upgradeLines([servers, nodes], key);
    assert.deepEqual(lines, [
      { item: 'cad', kind: 'servers', from: 1, to: 2 },
      { item: 'cad', kind: 'nodes', from: 64, to: 512 },
    ]);
    assert.deepEqual(applied.value.items.cad, { servers: 2, nodes: 512 });
    assert.deepEqual(
      lines.map((line) => upgradeLineText(line, lines)),
      ['From 1 to 2 concurrent servers', 'From 64 to 512 concurrent nodes'],
    );
  });

  it('counts a kind the key does not hold yet from 0, and names items when there are several', () => {
    const lines = upgradeLines([servers, { item: 'viewer', kind: 'users', count: 5 }], key);
    assert.deepEqual(
      lines.map((line) => upgradeLineText(line, lines)),
      ['From 1 to 2 concurrent servers of cad', 'From 0 to 5 concurrent users of viewer'],
    );
  });

  const refusals: ReadonlyArray<[string, OrderItem[]]> = [
    ['nothing', []],
    ['no seats', [{ ...servers, count: 0 }]],
    ['a kind twice', [servers, { ...servers, count: 2 }]],
    ['a name with capitals', [{ ...servers, item: 'CAD' }]],
    ['more seats than a key holds', [{ ...servers, count: 1_000_001 }]],
    ['a fraction', [{ ...servers, count: 1.5 }]],
  ];
  for (const [what, items] of refusals) {
    it(`refuses an order of ${what}`, () => {
      const read = readOrderItems(items);
      assert.equal(read.ok ? 'ok' : read.error.code, 'VALIDATION_FAILED');
    });
  }
});

describe("the dealer's From check", () => {
  const lines = upgradeLines([servers, nodes], key);
  it('passes when the counts entered are what the key holds', () => {
    assert.deepEqual(checkStatedFrom(lines, { 'cad.servers': 1, 'cad.nodes': 64 }), {
      ok: true,
      value: lines,
    });
  });

  it('names each field that differs, and each left empty', () => {
    const checked = checkStatedFrom(lines, { 'cad.servers': 2 });
    assert.equal(checked.ok, false);
    if (checked.ok) return;
    assert.equal(checked.error.code, 'FROM_MISMATCH');
    assert.deepEqual(checked.error.detail?.fields, ['cad.servers', 'cad.nodes']);
    assert.match(checked.error.message, /cad\.servers: you entered 2, the key holds 1/);
    assert.match(checked.error.message, /cad\.nodes: enter the number the key holds now/);
  });
});
