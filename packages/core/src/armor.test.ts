import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeArmor, encodeArmor } from './armor.js';

const file = {
  label: 'LICENSE REQUEST',
  headers: { Serial: 'ABCDE-FGHJK-MNPQR-STVWX' },
  body: Buffer.from('x'.repeat(150)),
};

function codeOf(text: string): string {
  const result = decodeArmor(text, 'LICENSE REQUEST');
  return result.ok ? 'ok' : result.error.code;
}

describe('armored files', () => {
  it('round-trips, tolerating CRLF line ends and blank space around the file', () => {
    const text = encodeArmor(file);
    assert.deepEqual(decodeArmor(text, 'LICENSE REQUEST'), { ok: true, value: { ...file, body: file.body } });
    assert.equal(codeOf(`\n\n  ${text.replace(/\n/g, '\r\n')}  \n`), 'ok');
  });

  it('reports every single flipped byte as FILE_CORRUPTED', () => {
    const text = encodeArmor(file);
    for (let i = 0; i < text.length; i++) {
      for (const mask of [0x01, 0x20, 0x40]) {
        const flipped = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ mask) + text.slice(i + 1);
        if (flipped.trim() === text.trim()) continue;
        assert.equal(codeOf(flipped), 'FILE_CORRUPTED', `byte ${i} ^ ${mask}`);
      }
    }
  });

  it('tells a file of another kind, and text that is no Keyward file at all', () => {
    assert.equal(codeOf(encodeArmor({ ...file, label: 'LICENSE UPDATE' })), 'WRONG_FILE_KIND');
    assert.equal(codeOf('hello'), 'WRONG_FILE_KIND');
    assert.equal(codeOf(''), 'WRONG_FILE_KIND');
  });
});
