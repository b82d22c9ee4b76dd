import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALPHABET } from './alphabet.js';
import { generateSerial, parseSerial, serialKey } from './serial.js';

describe('serial numbers', () => {
  it('generates serials that parse back to themselves', () => {
    for (let i = 0; i < 200; i++) {
      const serial = generateSerial();
      assert.match(serial, /^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
      assert.deepEqual(parseSerial(serial), { ok: true, value: serial });
    }
  });

  it('accepts what people type: lower case, spaces, no dashes, look-alike letters', () => {
    const serial = generateSerial(() => new Uint8Array(12));
    assert.equal(serial.replace(/-/g, '').slice(0, 19), '0000000000000000000');
    const typed = ` ${serial.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o')} `;
    assert.deepEqual(parseSerial(typed), { ok: true, value: serial });
  });

  // The canonical form takes a shorter path than typed input: both must catch every typo.
  for (const form of ['canonical', 'typed without dashes'] as const) {
    it(`names every single mistyped character (${form})`, () => {
      const generated = generateSerial();
      const serial = form === 'canonical' ? generated : generated.replace(/-/g, '');
      for (let position = 0; position < serial.length; position++) {
        if (serial[position] === '-') continue;
        for (const replacement of ALPHABET) {
          if (replacement === serial[position]) continue;
          const typo = serial.slice(0, position) + replacement + serial.slice(position + 1);
          const parsed = parseSerial(typo);
          assert.equal(parsed.ok, false, `typo at ${position} (${replacement}) was accepted`);
          if (!parsed.ok) assert.equal(parsed.error.code, 'SERIAL_INVALID');
        }
      }
    });
  }

  const refusals: ReadonlyArray<[string, string, RegExp]> = [
    ['too short', 'ABCDE-FGHJK', /20 characters/],
    ['too long', 'ABCDE-FGHJK-MNPQR-STVWX-Y', /20 characters/],
    ['a character outside the alphabet', 'ABCDE-FGHJK-MNPQR-STVW*', /cannot contain the character "\*"/],
    ['U is not in the alphabet', 'UBCDE-FGHJK-MNPQR-STVWX', /cannot contain the character "U"/],
    ['empty', '', /20 characters/],
  ];
  for (const [what, input, message] of refusals) {
    it(`refuses ${what} with SERIAL_INVALID`, () => {
      const parsed = parseSerial(input);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) {
        assert.equal(parsed.error.code, 'SERIAL_INVALID');
        assert.match(parsed.error.message, message);
      }
    });
  }

  it('serialKey: every spelling of one serial gives its canonical form; anything else stays as given', () => {
    const serial = generateSerial();
    const spellings = [
      serial,
      serial.toLowerCase(),
      serial.replaceAll('-', ' '),
      ` ${serial.replaceAll('-', '')} `,
    ];
    for (const spelling of spellings) assert.equal(serialKey(spelling), serial, spelling);
    for (const other of ['not-a-serial', '', 'lic_01']) assert.equal(serialKey(other), other);
  });
});
