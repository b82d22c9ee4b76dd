import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { printable } from './output.js';

describe('text printed to a terminal', () => {
  const cases: ReadonlyArray<readonly [what: string, text: string, shown: string]> = [
    ['plain text', 'CAD Pro, 25 seats', 'CAD Pro, 25 seats'],
    ['line breaks and tabs stay', 'a\n\tb', 'a\n\tb'],
    ['clear screen', 'x\u001b[2Jy', 'x\\u001b[2Jy'],
    ['window title (OSC)', '\u001b]0;pwned\u0007', '\\u001b]0;pwned\\u0007'],
    ['carriage return hiding text', 'ok\rforged', 'ok\\u000dforged'],
    ['backspace', 'a\bb', 'a\\u0008b'],
    ['C1 control (CSI)', 'a\u009b2Jb', 'a\\u009b2Jb'],
    ['delete', 'a\u007fb', 'a\\u007fb'],
    ['accents and other scripts stay', 'Société Générale, 東京', 'Société Générale, 東京'],
  ];
  for (const [what, text, shown] of cases) {
    it(`${what}`, () => assert.equal(printable(text), shown));
  }
});
