import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ALPHABET } from './alphabet.js';
import { type ContainerContents, emptyContents } from './contents.js';
import { decodeShortCode, encodeShortCode } from './short-code.js';
import {
  encodeActivationCode,
  encodeRequestCode,
  readActivationCode,
  readRequestCode,
} from './update-codes.js';
import type { UpdateOperation } from './update-operations.js';

const key = randomBytes(32);
const vendor = generateKeyPairSync('ed25519');
const signer = { kid: 'sig-test', privateKey: vendor.privateKey };
const target = { serial: 'SERIAL-1', containerKey: 'k'.repeat(43) };
const contents: ContainerContents = {
  ...emptyContents(),
  items: { cad: { nodes: 10, servers: 2 }, viewer: { users: 5 } },
  counters: { exports: 3, prints: 0 },
  memory: { license_key: 'AAAA' },
};

describe('short codes', () => {
  it('read back the bytes they were made of', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (bytes) => {
        const code = encodeShortCode(bytes);
        assert.match(code, /^[0-9A-Z]{5}(-[0-9A-Z]{5})*$/);
        const decoded = decodeShortCode(code.toLowerCase().replace(/-/g, ' '));
        assert.ok(decoded.ok);
        assert.deepEqual(decoded.value.subarray(0, bytes.length), Buffer.from(bytes));
        assert.ok(decoded.value.subarray(bytes.length).every((byte) => byte === 0));
      }),
    );
  });

  it('name the group of any single mistyped character', () => {
    const code = encodeShortCode(randomBytes(12)).replace(/-/g, '');
    for (let position = 0; position < code.length; position++) {
      for (const typo of ALPHABET) {
        if (typo === code[position]) continue;
        const decoded = decodeShortCode(code.slice(0, position) + typo + code.slice(position + 1));
        assert.equal(decoded.ok, false);
        if (!decoded.ok) {
          assert.equal(decoded.error.code, 'CODE_MISTYPED');
          assert.deepEqual(decoded.error.detail, { group: Math.floor(position / 5) + 1 });
        }
      }
    }
  });

  it('catch two groups swapped', () => {
    const groups = encodeShortCode(randomBytes(10)).split('-');
    const swapped = [groups[1], groups[0], ...groups.slice(2)].join('-');
    assert.equal(decodeShortCode(swapped).ok, false);
  });

  it('never throw on any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const decoded = decodeShortCode(text);
        assert.ok(decoded.ok || decoded.error.code === 'CODE_MISTYPED');
      }),
    );
  });
});

describe('request and activation codes', () => {
  it('a request code tells the update step and the contents, and only to the holder of the key', () => {
    const code = encodeRequestCode(7, contents, key);
    assert.ok(code.split('-').length <= 5, code);
    const read = readRequestCode(code, key);
    assert.ok(read.ok);
    assert.equal(read.value.sequence, 7);
    assert.equal(read.value.hashPrefix.length, 8);
    const wrongKey = readRequestCode(code, randomBytes(32));
    assert.equal(wrongKey.ok ? 'ok' : wrongKey.error.code, 'SIGNATURE_INVALID');
  });

  const small: ReadonlyArray<[string, UpdateOperation[]]> = [
    ['an expiry', [{ op: 'set-expiry', expiresAt: '2030-06-30T00:00:00.000Z' }]],
    ['no expiry', [{ op: 'set-expiry', expiresAt: null }]],
    ['added seats', [{ op: 'add-seats', item: 'viewer', kind: 'users', count: 20 }]],
    ['a seat count', [{ op: 'set-seats', item: 'cad', kind: 'servers', count: 4 }]],
    ['a counter', [{ op: 'set-counter', name: 'prints', value: 1000 }]],
    ['a counter raised', [{ op: 'increment-counter', name: 'exports', by: 50 }]],
    ['a counter lowered', [{ op: 'decrement-counter', name: 'exports', by: 1 }]],
    ['the verification mode', [{ op: 'set-verification', verification: 'off' }]],
    ['deleting a memory object', [{ op: 'delete-memory', name: 'license_key' }]],
    [
      'an expiry and seats together',
      [
        { op: 'set-expiry', expiresAt: '2031-01-01T00:00:00.000Z' },
        { op: 'add-seats', item: 'cad', kind: 'nodes', count: 5 },
      ],
    ],
  ];
  for (const [what, operations] of small) {
    it(`an activation code carries ${what}`, () => {
      const code = encodeActivationCode(3, operations, contents, target, signer);
      assert.ok(code.ok, code.ok ? '' : code.error.message);
      const read = readActivationCode(code.value, contents, target, [vendor.publicKey]);
      assert.ok(read.ok);
      assert.deepEqual(read.value.operations, operations);
      assert.equal(read.value.fromSequence, 3);
      assert.equal(
        readActivationCode(code.value, contents, target, [vendor.publicKey]).ok && read.value.codeId,
        read.value.codeId,
      );
    });
  }

  const large: ReadonlyArray<[string, UpdateOperation[]]> = [
    ['a password', [{ op: 'set-password', name: 'admin', hash: 'scrypt$16384$8$1$AAAA$BBBB' }]],
    ['writing a memory object', [{ op: 'write-memory', name: 'key', data: 'AAAA' }]],
    ['deleting a memory object the key does not hold', [{ op: 'delete-memory', name: 'absent' }]],
    ['a new item', [{ op: 'add-seats', item: 'cam', kind: 'users', count: 1 }]],
    ['an expiry at a time of day', [{ op: 'set-expiry', expiresAt: '2030-06-30T12:00:00.000Z' }]],
    [
      'four operations',
      Array.from({ length: 4 }, () => ({ op: 'set-counter', name: 'prints', value: 1 }) as const),
    ],
  ];
  for (const [what, operations] of large) {
    it(`${what} needs a file: UPDATE_NEEDS_FILE`, () => {
      const code = encodeActivationCode(3, operations, contents, target, signer);
      assert.equal(code.ok ? 'ok' : code.error.code, 'UPDATE_NEEDS_FILE');
    });
  }

  it('a request code given as an activation code, or the other way round, says so', () => {
    const request = encodeRequestCode(1, contents, key);
    const asActivation = readActivationCode(request, contents, target, [vendor.publicKey]);
    assert.ok(!asActivation.ok && /This is a request code/.test(asActivation.error.message));
    const activation = encodeActivationCode(
      1,
      [{ op: 'set-counter', name: 'prints', value: 1 }],
      contents,
      target,
      signer,
    );
    assert.ok(activation.ok);
    const asRequest = readRequestCode(activation.value, key);
    assert.ok(!asRequest.ok && /This is an activation code/.test(asRequest.error.message));
  });

  it('an activation code for another container, or signed by another key, is refused', () => {
    const code = encodeActivationCode(
      0,
      [{ op: 'set-seats', item: 'cad', kind: 'servers', count: 1 }],
      contents,
      target,
      signer,
    );
    assert.ok(code.ok);
    const other = generateKeyPairSync('ed25519');
    const elsewhere = readActivationCode(code.value, contents, { ...target, containerKey: 'x'.repeat(43) }, [
      vendor.publicKey,
    ]);
    assert.equal(elsewhere.ok ? 'ok' : elsewhere.error.code, 'SIGNATURE_INVALID');
    const forged = readActivationCode(code.value, contents, target, [other.publicKey]);
    assert.equal(forged.ok ? 'ok' : forged.error.code, 'SIGNATURE_INVALID');
  });
});
