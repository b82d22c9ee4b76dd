import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AnchorFacts,
  decideIntegrity,
  type FileFacts,
  type IntegrityDecision,
} from './container-integrity.js';

const anchor: AnchorFacts = { kind: 'present', accepted: [{ revision: 7, hash: 'h7' }], containerKey: 'k' };
const writing: AnchorFacts = {
  kind: 'present',
  accepted: [
    { revision: 7, hash: 'h7' },
    { revision: 8, hash: 'h8' },
  ],
  containerKey: 'k',
};
const file = (revision: number, hash: string, containerKey = 'k'): FileFacts => ({
  kind: 'intact',
  revision,
  hash,
  containerKey,
});

describe('tamper detection', () => {
  const rows: ReadonlyArray<[string, AnchorFacts, FileFacts, IntegrityDecision]> = [
    ['first run', { kind: 'none' }, { kind: 'missing' }, 'create'],
    ['file deleted, anchor remembers', anchor, { kind: 'missing' }, 'recreate'],
    ['file as the anchor says', anchor, file(7, 'h7'), 'open'],
    ['crash mid-write, old file still there', writing, file(7, 'h7'), 'open'],
    ['crash mid-write, new file already there', writing, file(8, 'h8'), 'open'],
    ['older copy restored', anchor, file(5, 'h5'), 'tamper'],
    ['same revision, other contents', anchor, file(7, 'hx'), 'tamper'],
    ['a file with other keys put in place', anchor, file(7, 'h7', 'other'), 'tamper'],
    ['anchor deleted', { kind: 'none' }, file(7, 'h7'), 'tamper'],
    ['anchor edited', { kind: 'altered' }, file(7, 'h7'), 'tamper'],
    ['anchor edited, file deleted', { kind: 'altered' }, { kind: 'missing' }, 'tamper'],
    ['file damaged or forged', anchor, { kind: 'unreadable' }, 'tamper'],
    ['file copied from another computer', { kind: 'none' }, { kind: 'foreign' }, 'wrong-computer'],
    ["file copied over this computer's own", anchor, { kind: 'foreign' }, 'wrong-computer'],
  ];
  for (const [what, anchorFacts, fileFacts, decision] of rows) {
    it(`${what}: ${decision}`, () => assert.equal(decideIntegrity(anchorFacts, fileFacts), decision));
  }
});
