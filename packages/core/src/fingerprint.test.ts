import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fingerprintPartHashes,
  formatFingerprint,
  localSecretOf,
  parseFingerprint,
  sameComputerParts,
} from './fingerprint.js';

const computed = formatFingerprint({ machine: 'm1', cpu: 'c1', memory: '16', network: 'n1', host: 'h1' });
const hashes = (changes: Record<string, string>) =>
  fingerprintPartHashes('cad', formatFingerprint({ ...parseFingerprint(computed), ...changes }));

describe('fingerprints matched part by part', () => {
  const rows: ReadonlyArray<[string, Record<string, string>, boolean]> = [
    ['the same computer', {}, true],
    ['a RAM upgrade', { memory: '32' }, true],
    ['a new network card', { network: 'n2' }, true],
    ['a new CPU', { cpu: 'c2' }, true],
    ['a new host name', { host: 'h2' }, true],
    ['the OS reinstalled (a new machine id)', { machine: 'm2' }, true],
    ['RAM and network card both changed', { memory: '32', network: 'n2' }, false],
    ['another computer', { machine: 'm9', cpu: 'c9', memory: '8', network: 'n9', host: 'h9' }, false],
  ];
  for (const [what, changes, same] of rows) {
    it(`${what}: ${same ? 'the same computer' : 'another computer'}`, () =>
      assert.equal(sameComputerParts(hashes({}), hashes(changes)), same));
  }

  it('a fingerprint given whole is one part: any change is another computer', () => {
    assert.deepEqual(parseFingerprint('pc-a'), { id: 'pc-a' });
    assert.equal(
      sameComputerParts(fingerprintPartHashes('cad', 'pc-a'), fingerprintPartHashes('cad', 'pc-a')),
      true,
    );
    assert.equal(
      sameComputerParts(fingerprintPartHashes('cad', 'pc-a'), fingerprintPartHashes('cad', 'pc-b')),
      false,
    );
  });

  it('part sets of different shapes, or none, are never the same computer', () => {
    assert.equal(sameComputerParts(hashes({}), fingerprintPartHashes('cad', 'pc-a')), false);
    assert.equal(sameComputerParts({}, {}), false);
  });

  it('hashes parts per product, and keys local files by the machine part alone', () => {
    assert.notDeepEqual(fingerprintPartHashes('cad', computed), fingerprintPartHashes('cam', computed));
    assert.equal(
      localSecretOf(computed),
      localSecretOf(formatFingerprint({ ...parseFingerprint(computed), memory: '64' })),
    );
    assert.equal(localSecretOf('pc-a'), 'pc-a');
  });
});
