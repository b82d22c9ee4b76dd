import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ContainerContents, contentsDifferences, contentsHash, emptyContents } from './contents.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { packageRefusal } from './update-decision.js';
import { applyOperations, readOperations } from './update-operations.js';

const base: ContainerContents = {
  ...emptyContents(),
  items: { cad: { servers: 2, nodes: 10 }, viewer: { users: 5 } },
  counters: { runs: 3 },
  memory: { license_key: Buffer.from('abc').toString('base64') },
};

function outcome(operations: unknown[]): string | ContainerContents {
  const read = readOperations(operations);
  if (!read.ok) return read.error.code;
  const applied = applyOperations(base, read.value);
  return applied.ok ? applied.value : applied.error.code;
}

describe('update operations', () => {
  const rows: ReadonlyArray<[string, unknown[], (c: ContainerContents) => unknown, unknown]> = [
    [
      'set expiry',
      [{ op: 'set-expiry', expiresAt: '2027-01-01' }],
      (c) => c.expiresAt,
      '2027-01-01T00:00:00.000Z',
    ],
    ['set expiry to never', [{ op: 'set-expiry', expiresAt: null }], (c) => c.expiresAt, null],
    ['add seats', [{ op: 'add-seats', item: 'cad', kind: 'nodes', count: 5 }], (c) => c.items.cad?.nodes, 15],
    [
      'add seats of a new item',
      [{ op: 'add-seats', item: 'cam', kind: 'users', count: 1 }],
      (c) => c.items.cam?.users,
      1,
    ],
    [
      'set seats',
      [{ op: 'set-seats', item: 'cad', kind: 'servers', count: 4 }],
      (c) => c.items.cad?.servers,
      4,
    ],
    ['set counter', [{ op: 'set-counter', name: 'runs', value: 100 }], (c) => c.counters.runs, 100],
    ['increment counter', [{ op: 'increment-counter', name: 'runs', by: 7 }], (c) => c.counters.runs, 10],
    ['decrement counter', [{ op: 'decrement-counter', name: 'runs', by: 3 }], (c) => c.counters.runs, 0],
    ['write memory', [{ op: 'write-memory', name: 'key2', data: 'AAEC' }], (c) => c.memory.key2, 'AAEC'],
    [
      'delete memory',
      [{ op: 'delete-memory', name: 'license_key' }],
      (c) => 'license_key' in c.memory,
      false,
    ],
    ['set verification', [{ op: 'set-verification', verification: 'off' }], (c) => c.verification, 'off'],
  ];
  for (const [what, operations, pick, expected] of rows) {
    it(what, () => {
      const result = outcome(operations);
      assert.notEqual(typeof result, 'string', String(result));
      assert.deepEqual(pick(result as ContainerContents), expected);
    });
  }

  const refusals: ReadonlyArray<[string, unknown[], string]> = [
    ['no operations', [], 'VALIDATION_FAILED'],
    ['an unknown operation', [{ op: 'format-disk' }], 'VALIDATION_FAILED'],
    ['a counter below zero', [{ op: 'decrement-counter', name: 'runs', by: 4 }], 'COUNTER_EXHAUSTED'],
    ['a counter that is not there', [{ op: 'increment-counter', name: 'prints', by: 1 }], 'NAME_NOT_FOUND'],
    ['deleting a memory object that is not there', [{ op: 'delete-memory', name: 'nope' }], 'NAME_NOT_FOUND'],
    [
      'a memory object over the size limit',
      [{ op: 'write-memory', name: 'big', data: Buffer.alloc(4097).toString('base64') }],
      'VALIDATION_FAILED',
    ],
    ['memory data that is not base64', [{ op: 'write-memory', name: 'x', data: '***' }], 'VALIDATION_FAILED'],
    ['a name with capitals', [{ op: 'set-counter', name: 'Runs', value: 1 }], 'VALIDATION_FAILED'],
    ['negative seats', [{ op: 'set-seats', item: 'cad', kind: 'nodes', count: -1 }], 'VALIDATION_FAILED'],
    ['a plain-text password', [{ op: 'set-password', name: 'admin', hash: 'secret' }], 'VALIDATION_FAILED'],
    [
      'frozen is not a mode a package sets',
      [{ op: 'set-verification', verification: 'frozen' }],
      'VALIDATION_FAILED',
    ],
  ];
  for (const [what, operations, code] of refusals) {
    it(`refuses ${what}: ${code}`, () => assert.equal(outcome(operations), code));
  }

  it('leaves the contents untouched when one operation of several fails', () => {
    const before = contentsHash(base);
    assert.equal(
      outcome([
        { op: 'set-counter', name: 'runs', value: 1 },
        { op: 'delete-memory', name: 'nope' },
      ]),
      'NAME_NOT_FOUND',
    );
    assert.equal(contentsHash(base), before);
  });

  it("hashes contents canonically; counter allowances are the vendor's terms and count", () => {
    const reordered: ContainerContents = {
      ...base,
      items: { viewer: { users: 5 }, cad: { nodes: 10, servers: 2 } },
    };
    assert.equal(contentsHash(reordered), contentsHash(base));
    assert.notEqual(contentsHash({ ...base, counters: { runs: 0 } }), contentsHash(base));
    assert.notEqual(contentsHash({ ...base, counters: { prints: 3 } }), contentsHash(base));
  });

  it('names what differs for the From check', () => {
    const stated: ContainerContents = {
      ...base,
      items: { ...base.items, cad: { servers: 1, nodes: 10 } },
      expiresAt: '2027-01-01T00:00:00.000Z',
    };
    assert.deepEqual(contentsDifferences(stated, base), [
      "cad.servers: the key says 1, the vendor's record 2",
      "expiry: the key says 2027-01-01T00:00:00.000Z, the vendor's record never",
    ]);
    assert.deepEqual(contentsDifferences(base, base), []);
  });

  it('stores application passwords as scrypt hashes', () => {
    const hash = hashPassword('open sesame');
    assert.ok(!hash.includes('open sesame'));
    assert.ok(verifyPassword('open sesame', hash));
    assert.ok(!verifyPassword('open sesame!', hash));
    assert.ok(!verifyPassword('x', 'garbage'));
  });
});

describe('which packages apply', () => {
  const target = { serial: 'S', containerKey: 'K', sequence: 3, appliedPackages: ['upd_3'] };
  const rows: ReadonlyArray<
    [
      string,
      { packageId: string; serial: string; containerKey: string; fromSequence: number },
      string | undefined,
    ]
  > = [
    ['the next one', { packageId: 'upd_4', serial: 'S', containerKey: 'K', fromSequence: 3 }, undefined],
    [
      'one for another serial',
      { packageId: 'upd_4', serial: 'T', containerKey: 'K', fromSequence: 3 },
      'WRONG_KEY',
    ],
    [
      'one for another container of this serial',
      { packageId: 'upd_4', serial: 'S', containerKey: 'L', fromSequence: 3 },
      'WRONG_KEY',
    ],
    [
      'the one just applied, again',
      { packageId: 'upd_3', serial: 'S', containerKey: 'K', fromSequence: 2 },
      'ALREADY_APPLIED',
    ],
    [
      'an older one',
      { packageId: 'upd_2', serial: 'S', containerKey: 'K', fromSequence: 1 },
      'PACKAGE_OUTDATED',
    ],
    [
      'one ahead of the key',
      { packageId: 'upd_5', serial: 'S', containerKey: 'K', fromSequence: 4 },
      'PACKAGE_OUT_OF_ORDER',
    ],
  ];
  for (const [what, pkg, code] of rows) {
    it(`${what}: ${code ?? 'applies'}`, () => assert.equal(packageRefusal(target, pkg)?.code, code));
  }
});
