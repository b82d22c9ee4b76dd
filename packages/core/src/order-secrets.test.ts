import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  generateAuthorizationNumber,
  generateConfirmationCredentials,
  hashOrderSecret,
  normalizeConfirmationSecret,
  orderSecretMatches,
  parseAuthorizationNumber,
} from './order-secrets.js';

const codeOf = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : result.error?.code);

describe('authorization numbers', () => {
  it('are three groups of four that parse back to themselves, never twice the same', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const number = generateAuthorizationNumber();
      assert.match(number, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      assert.deepEqual(parseAuthorizationNumber(number), { ok: true, value: number });
      seen.add(number);
    }
    assert.equal(seen.size, 500);
  });

  it('accept what people type: lower case, spaces, no dashes, look-alike letters', () => {
    const number = generateAuthorizationNumber(() => new Uint8Array(7));
    assert.equal(number, '0000-0000-0000');
    assert.deepEqual(parseAuthorizationNumber(' oooo oooo-oooo '), { ok: true, value: number });
  });

  const refusals: ReadonlyArray<[string, string, string]> = [
    ['too short', 'K7Q2-M9XW', 'VALIDATION_FAILED'],
    ['a character outside the alphabet', 'K7Q2-M9XW-4HQ*', 'VALIDATION_FAILED'],
    ['empty', '', 'VALIDATION_FAILED'],
  ];
  for (const [what, input, code] of refusals)
    it(`refuse ${what}: ${code}`, () => assert.equal(codeOf(parseAuthorizationNumber(input)), code));

  it('name every single mistyped character as a typo, not a wrong number', () => {
    const symbols = generateAuthorizationNumber().replace(/-/g, '');
    for (let position = 0; position < symbols.length; position++) {
      const replacement = symbols[position] === 'Z' ? 'Y' : 'Z';
      const typo = symbols.slice(0, position) + replacement + symbols.slice(position + 1);
      assert.equal(codeOf(parseAuthorizationNumber(typo)), 'CODE_MISTYPED', `typo at ${position}`);
    }
  });

  it('are kept as hashes and compared in constant time', () => {
    const number = generateAuthorizationNumber();
    const stored = hashOrderSecret(number);
    assert.ok(!stored.includes(number));
    assert.equal(orderSecretMatches(number, stored), true);
    assert.equal(orderSecretMatches(generateAuthorizationNumber(), stored), false);
    assert.equal(orderSecretMatches(number, 'not-hex'), false);
  });
});

describe('confirmation credentials', () => {
  it('are a login of 12 and a password of 16 symbols, typed back in any form', () => {
    const { login, password } = generateConfirmationCredentials();
    assert.match(login, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    assert.match(password, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    assert.equal(normalizeConfirmationSecret(password.toLowerCase().replace(/-/g, ' ')), password);
    assert.notEqual(generateConfirmationCredentials().password, password);
  });
});
