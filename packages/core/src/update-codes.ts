import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import { type ContainerContents, contentsHash } from './contents.js';
import { codeMac } from './crypto/code-key.js';
import { utf8 } from './crypto/encoding.js';
import type { Signer } from './crypto/signed-envelope.js';
import { refuse } from './errors.js';
import { err, ok, type Result } from './result.js';
import { decodeShortCode, encodeShortCode } from './short-code.js';
import type { UpdateOperation } from './update-operations.js';

/**
 * The update protocol as short codes, for a phone call or a fax: the request code (Transaction
 * Key) tells the update step and a fingerprint of the contents; the activation code carries a
 * few small operations (an expiry, seats, a counter, the verification mode, deleting a memory
 * object). The request code carries a truncated HMAC under the vendor-container `codeKey`; the
 * activation code changes license terms, so it carries the vendor's Ed25519 signature over the
 * serial, the container key and its body (anyone with the SDK's source can compute a code key).
 * Names travel as their index in the sorted names the key holds, which the From check guarantees
 * both sides share.
 */
const REQUEST_KIND = 0x11;
const ACTIVATION_KIND = 0x21;
const REQUEST_MAC_BYTES = 4;
const SIGNATURE_BYTES = 64;
const MAX_OPERATION_BYTES = 12;
const NEVER = 0xffff;
const EPOCH = Date.UTC(2000, 0, 1);
const DAY = 86_400_000;

const OPCODES = {
  'set-expiry': 1,
  'add-seats': 2,
  'set-seats': 3,
  'set-counter': 4,
  'increment-counter': 5,
  'decrement-counter': 6,
  'set-verification': 7,
  'delete-memory': 8,
} as const;

export interface RequestCode {
  readonly sequence: number;
  /** The first 8 hex digits of the contents hash. */
  readonly hashPrefix: string;
}

function withMac(body: number[], key: Uint8Array, macBytes: number): string {
  const data = Buffer.from(body);
  return encodeShortCode(Buffer.concat([data, codeMac(key, data, macBytes)]));
}

/** Reads a code's bytes and checks its MAC; what follows the MAC must be padding. */
function openCode(
  code: string,
  kind: number,
  bodyLength: (bytes: Buffer) => number | undefined,
  tagBytes: number,
  authentic: (body: Buffer, tag: Buffer) => boolean,
): Result<Buffer> {
  const decoded = decodeShortCode(code);
  if (!decoded.ok) return decoded;
  const bytes = decoded.value;
  if (bytes[0] === REQUEST_KIND && kind === ACTIVATION_KIND) {
    return refuse(
      'CODE_MISTYPED',
      'This is a request code (what the key tells the vendor), not an activation code from the vendor.',
    );
  }
  if (bytes[0] === ACTIVATION_KIND && kind === REQUEST_KIND) {
    return refuse(
      'CODE_MISTYPED',
      'This is an activation code (what the vendor sends back), not a request code.',
    );
  }
  const length = bodyLength(bytes);
  if (
    length === undefined ||
    bytes.length < length + tagBytes ||
    bytes.subarray(length + tagBytes).some((byte) => byte !== 0)
  ) {
    return refuse('CODE_MISTYPED', 'This is not a Keyward code of the expected kind.');
  }
  const body = bytes.subarray(0, length);
  if (!authentic(body, bytes.subarray(length, length + tagBytes))) {
    return refuse('SIGNATURE_INVALID', 'The code was not made for this key: check the serial and the code.');
  }
  return ok(body);
}

export function encodeRequestCode(sequence: number, contents: ContainerContents, key: Uint8Array): string {
  const hash = Buffer.from(contentsHash(contents).slice(0, 8), 'hex');
  return withMac([REQUEST_KIND, sequence >> 8, sequence & 0xff, ...hash], key, REQUEST_MAC_BYTES);
}

export function readRequestCode(code: string, key: Uint8Array): Result<RequestCode> {
  const body = openCode(
    code,
    REQUEST_KIND,
    (bytes) => (bytes[0] === REQUEST_KIND ? 7 : undefined),
    REQUEST_MAC_BYTES,
    (data, tag) => codeMac(key, data, REQUEST_MAC_BYTES).equals(tag),
  );
  if (!body.ok) return body;
  return ok({ sequence: body.value.readUInt16BE(1), hashPrefix: body.value.subarray(3, 7).toString('hex') });
}

/** Sorted names, the shared vocabulary of indexes. */
function names(contents: ContainerContents) {
  const items = Object.keys(contents.items).sort();
  return {
    items,
    kinds: (item: string) => Object.keys(contents.items[item] ?? {}).sort(),
    counters: Object.keys(contents.counters).sort(),
    memory: Object.keys(contents.memory).sort(),
  };
}

const needsFile = (why: string) =>
  refuse(
    'UPDATE_NEEDS_FILE',
    `This update is too large for a code (${why}): make a request file on the customer's computer (keyward key request --out FILE) and issue the update from it.`,
  );

function encodeOperation(operation: UpdateOperation, contents: ContainerContents): Result<number[]> {
  const vocabulary = names(contents);
  const index = (list: readonly string[], name: string) => list.indexOf(name);
  switch (operation.op) {
    case 'set-expiry': {
      if (operation.expiresAt === null) return ok([OPCODES[operation.op], 0xff, 0xff]);
      const time = Date.parse(operation.expiresAt);
      const days = (time - EPOCH) / DAY;
      if (!Number.isInteger(days) || days < 0 || days >= NEVER)
        return needsFile('an expiry that is not a whole day');
      return ok([OPCODES[operation.op], days >> 8, days & 0xff]);
    }
    case 'add-seats':
    case 'set-seats': {
      const item = index(vocabulary.items, operation.item);
      const kind = index(vocabulary.kinds(operation.item), operation.kind);
      if (item < 0 || kind < 0 || item > 255 || kind > 255)
        return needsFile('seats of an item or kind the key does not hold yet');
      if (operation.count > 0xffff) return needsFile('more than 65,535 seats');
      return ok([OPCODES[operation.op], item, kind, operation.count >> 8, operation.count & 0xff]);
    }
    case 'set-counter':
    case 'increment-counter':
    case 'decrement-counter': {
      const counter = index(vocabulary.counters, operation.name);
      const value = operation.op === 'set-counter' ? operation.value : operation.by;
      if (counter < 0 || counter > 255) return needsFile('a counter the key does not hold yet');
      if (value > 0xffffff) return needsFile('a counter value over 16,777,215');
      return ok([OPCODES[operation.op], counter, value >> 16, (value >> 8) & 0xff, value & 0xff]);
    }
    case 'set-verification':
      return ok([OPCODES[operation.op], operation.verification === 'off' ? 0 : 1]);
    case 'delete-memory': {
      const object = index(vocabulary.memory, operation.name);
      return object < 0 || object > 255
        ? needsFile('a memory object the key does not hold')
        : ok([OPCODES[operation.op], object]);
    }
    default:
      return needsFile(`${operation.op} needs a file`);
  }
}

/** The container an activation code is for: its signature covers both. */
export interface CodeTarget {
  readonly serial: string;
  readonly containerKey: string;
}

function activationSigningInput(target: CodeTarget, body: Uint8Array): Buffer {
  return Buffer.concat([
    utf8(`keyward/v1/activation-code\n${target.serial}\n${target.containerKey}\n`),
    body,
  ]);
}

/** An activation code for operations on a key at `fromSequence` holding `contents`; UPDATE_NEEDS_FILE when they do not fit. */
export function encodeActivationCode(
  fromSequence: number,
  operations: readonly UpdateOperation[],
  contents: ContainerContents,
  target: CodeTarget,
  signer: Signer,
): Result<string> {
  const encoded: number[] = [];
  for (const operation of operations) {
    const bytes = encodeOperation(operation, contents);
    if (!bytes.ok) return bytes;
    encoded.push(...bytes.value);
  }
  if (encoded.length > MAX_OPERATION_BYTES) return needsFile(`${operations.length} operations`);
  if (fromSequence > 0xffff) return needsFile('an update step past 65,535');
  const body = Buffer.from([
    ACTIVATION_KIND,
    fromSequence >> 8,
    fromSequence & 0xff,
    operations.length,
    ...encoded,
  ]);
  const signature = sign(null, activationSigningInput(target, body), signer.privateKey);
  return ok(encodeShortCode(Buffer.concat([body, signature])));
}

export interface ActivationCode {
  readonly fromSequence: number;
  readonly operations: readonly UpdateOperation[];
  /** Stands for the package id: the same code applied twice is recognised. */
  readonly codeId: string;
}

const OPERATION_LENGTH: Readonly<Record<number, number>> = { 1: 3, 2: 5, 3: 5, 4: 5, 5: 5, 6: 5, 7: 2, 8: 2 };

function bodyLengthOfActivation(bytes: Buffer): number | undefined {
  if (bytes[0] !== ACTIVATION_KIND || bytes.length < 4) return undefined;
  let offset = 4;
  for (let count = bytes[3] ?? 0; count > 0; count--) {
    const length = OPERATION_LENGTH[bytes[offset] ?? 0];
    if (length === undefined) return undefined;
    offset += length;
  }
  return offset - 4 <= MAX_OPERATION_BYTES ? offset : undefined;
}

function decodeOperation(
  bytes: Buffer,
  offset: number,
  contents: ContainerContents,
): Result<UpdateOperation> {
  const vocabulary = names(contents);
  const opcode = bytes[offset];
  const unknownName = refuse(
    'FROM_MISMATCH',
    'The code names something this key does not hold: it was made for another step of the key.',
  );
  const u16 = () => bytes.readUInt16BE(offset + 1);
  switch (opcode) {
    case OPCODES['set-expiry']:
      return ok({
        op: 'set-expiry',
        expiresAt: u16() === NEVER ? null : new Date(EPOCH + u16() * DAY).toISOString(),
      });
    case OPCODES['add-seats']:
    case OPCODES['set-seats']: {
      const item = vocabulary.items[bytes[offset + 1] ?? 0];
      const kind = item === undefined ? undefined : vocabulary.kinds(item)[bytes[offset + 2] ?? 0];
      if (item === undefined || kind === undefined) return unknownName;
      const count = bytes.readUInt16BE(offset + 3);
      return ok({ op: opcode === OPCODES['add-seats'] ? 'add-seats' : 'set-seats', item, kind, count });
    }
    case OPCODES['set-counter']:
    case OPCODES['increment-counter']:
    case OPCODES['decrement-counter']: {
      const name = vocabulary.counters[bytes[offset + 1] ?? 0];
      if (name === undefined) return unknownName;
      const value = bytes.readUIntBE(offset + 2, 3);
      if (opcode === OPCODES['set-counter']) return ok({ op: 'set-counter', name, value });
      return ok({
        op: opcode === OPCODES['increment-counter'] ? 'increment-counter' : 'decrement-counter',
        name,
        by: value,
      });
    }
    case OPCODES['delete-memory']: {
      const name = vocabulary.memory[bytes[offset + 1] ?? 0];
      return name === undefined ? unknownName : ok({ op: 'delete-memory', name });
    }
    default:
      return ok({ op: 'set-verification', verification: bytes[offset + 1] === 0 ? 'off' : 'ongoing' });
  }
}

/**
 * Reads an activation code against the contents of the key it is applied to, checking the
 * vendor's signature with each of the vendor's signing keys.
 */
export function readActivationCode(
  code: string,
  contents: ContainerContents,
  target: CodeTarget,
  vendorKeys: readonly KeyObject[],
): Result<ActivationCode> {
  const body = openCode(code, ACTIVATION_KIND, bodyLengthOfActivation, SIGNATURE_BYTES, (data, tag) =>
    vendorKeys.some((key) => verify(null, activationSigningInput(target, data), key, tag)),
  );
  if (!body.ok) return body;
  const bytes = body.value;
  const operations: UpdateOperation[] = [];
  let offset = 4;
  for (let count = bytes[3] ?? 0; count > 0; count--) {
    const operation = decodeOperation(bytes, offset, contents);
    if (!operation.ok) return err(operation.error);
    operations.push(operation.value);
    offset += OPERATION_LENGTH[bytes[offset] ?? 0] ?? 0;
  }
  return ok({
    fromSequence: bytes.readUInt16BE(1),
    operations,
    codeId: `code_${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`,
  });
}
