import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  DOCUMENTS,
  decodeArmor,
  decodeShortCode,
  emptyContents,
  isErrorCode,
  openSealedBytes,
  openSignedDocument,
  parseSerial,
  REQUEST_FILE_LABEL,
  type Result,
  readActivationCode,
  readContents,
  readOperations,
  readRequestCode,
  readUpdatePackage,
  readUpdateRequest,
  UPDATE_FILE_LABEL,
} from '@keyward/core';
import fc from 'fast-check';
import { type TestComputer, testComputer } from './support/computer.js';
import { queueUpdate } from './support/updates.js';
import { machineState, startTestVendor, type TestVendor } from './support/vendor-server.js';

/** A parser's answer to bad input is a refusal with a code from the catalogue, never an exception. */
function refusesCleanly(result: Result<unknown>): void {
  assert.equal(typeof result.ok, 'boolean');
  if (!result.ok) assert.ok(isErrorCode(result.error.code), result.error.code);
}

/** Damage that leaves the file itself intact (blank space around it, CRLF line ends) does not count. */
function sameFile(text: string, valid: string, label: string): boolean {
  const read = decodeArmor(text, label);
  const original = decodeArmor(valid, label);
  return read.ok && original.ok && Buffer.from(read.value.body).equals(Buffer.from(original.value.body));
}

/** A valid text, damaged: characters changed, cut, inserted, or replaced by noise. */
const damaged = (valid: string) =>
  fc.oneof(
    fc.string({ maxLength: 300 }),
    fc
      .tuple(fc.nat(valid.length - 1), fc.string({ minLength: 1, maxLength: 3 }))
      .map(([at, noise]) => valid.slice(0, at) + noise + valid.slice(at + 1)),
    fc.nat(valid.length).map((at) => valid.slice(0, at)),
    fc
      .tuple(fc.nat(valid.length), fc.string({ maxLength: 20 }))
      .map(([at, noise]) => valid.slice(0, at) + noise + valid.slice(at)),
  );

describe('every parser, fed anything: no crash, no unexpected exception', () => {
  const key = randomBytes(32);
  const parsers: ReadonlyArray<[string, (input: unknown) => Result<unknown>]> = [
    ['readOperations', readOperations],
    ['readContents', readContents],
    ['readUpdatePackage', readUpdatePackage],
    ['readUpdateRequest', readUpdateRequest],
    ['readLicenseGrant', DOCUMENTS.licenseGrant.reader.read],
    ['readLicenseRequest', DOCUMENTS.licenseRequest.reader.read],
    ['readDeactivationRequest', DOCUMENTS.deactivationRequest.reader.read],
    ['openSignedDocument', (input) => openSignedDocument(input, 'update-package', () => undefined)],
    ['openSealedBytes', (input) => openSealedBytes(input, () => undefined)],
  ];
  for (const [name, parse] of parsers) {
    it(name, () => {
      fc.assert(
        fc.property(fc.anything(), (input) => refusesCleanly(parse(input))),
        { numRuns: 500 },
      );
      fc.assert(
        fc.property(fc.jsonValue(), (input) => refusesCleanly(parse(input))),
        { numRuns: 500 },
      );
    });
  }

  const textParsers: ReadonlyArray<[string, (input: string) => Result<unknown>]> = [
    ['decodeArmor (request)', (text) => decodeArmor(text, REQUEST_FILE_LABEL)],
    ['decodeArmor (update)', (text) => decodeArmor(text, UPDATE_FILE_LABEL)],
    ['parseSerial', parseSerial],
    ['decodeShortCode', decodeShortCode],
    ['readRequestCode', (text) => readRequestCode(text, key)],
    [
      'readActivationCode',
      (text) => readActivationCode(text, emptyContents(), { serial: 'S', containerKey: 'K' }, []),
    ],
  ];
  for (const [name, parse] of textParsers) {
    it(name, () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 400 }), (text) => refusesCleanly(parse(text))),
        { numRuns: 1000 },
      );
      fc.assert(
        fc.property(fc.stringMatching(/^[0-9A-Za-z -]{0,60}$/), (text) => refusesCleanly(parse(text))),
        { numRuns: 1000 },
      );
    });
  }
});

describe('the client and the server, fed damaged files: no crash, no state change', () => {
  let vendor: TestVendor;
  let pc: TestComputer;
  let serial: string;
  let validUpdate: string;
  let validRequest: string;

  before(async () => {
    vendor = await startTestVendor();
    const issued = await vendor.issue({ counters: { exports: 1 } });
    serial = issued.licenses[0]?.serial ?? '';
    pc = await testComputer('fuzz', issued.sdkConfig);
    assert.ok((await pc.client.activate(serial)).ok);
    validUpdate = (await queueUpdate(vendor, serial, [{ op: 'set-counter', name: 'exports', value: 2 }]))
      .file;
    const request = await pc.client.updates.createRequest();
    assert.ok(request.ok);
    validRequest = request.value;
  });
  after(() => vendor.close());

  it('applying damaged update files and codes on the key', async () => {
    const client = pc.restart();
    const before = await client.status();
    await fc.assert(
      fc.asyncProperty(damaged(validUpdate), async (text) => {
        if (sameFile(text, validUpdate, UPDATE_FILE_LABEL)) return;
        refusesCleanly(await client.updates.apply(text));
        refusesCleanly(await client.updates.applyCode(text.slice(0, 60)));
      }),
      { numRuns: 300 },
    );
    assert.deepEqual(await pc.restart().status(), before);
  });

  it('sending damaged request files and machine requests to the vendor', async () => {
    const state = await machineState(vendor);
    const post = async (path: string, body: string) => {
      const response = await fetch(`${vendor.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${vendor.token}`, 'content-type': 'application/json' },
        body,
      });
      const problem = (await response.json()) as { code?: string };
      assert.ok(
        response.status >= 400 && response.status < 500,
        `${path}: ${response.status} ${JSON.stringify(problem)}`,
      );
      assert.ok(isErrorCode(problem.code), String(problem.code));
    };
    await fc.assert(
      fc.asyncProperty(damaged(validRequest), async (text) => {
        if (sameFile(text, validRequest, REQUEST_FILE_LABEL)) return;
        await post(
          '/v1/updates',
          JSON.stringify({ request: text, operations: [{ op: 'set-counter', name: 'exports', value: 5 }] }),
        );
      }),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/v1/machine/activate',
          '/v1/machine/check',
          '/v1/machine/deactivate',
          '/v1/machine/updates',
          '/v1/updates',
        ),
        fc.jsonValue(),
        async (path, body) => {
          await post(path, JSON.stringify(body));
        },
      ),
      { numRuns: 200 },
    );
    assert.equal(await machineState(vendor), state);
  });
});
