import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  checkSymbol,
  encodeSymbols,
  hasValidCheckSymbol,
  normalizeSymbols,
  symbolValue,
} from './alphabet.js';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';

type Random = (size: number) => Uint8Array;

const GROUP_LENGTH = 4;
const AUTHORIZATION_LENGTH = 12;
// Logins are unique among all orders ever processed: 60 bits keep collisions out of reach.
const CONFIRMATION_LOGIN_LENGTH = 12;
const CONFIRMATION_PASSWORD_LENGTH = 16;

/** Order secrets as people read and type them: the alphabet in groups of four. */
export type AuthorizationNumber = string & { readonly __brand: 'AuthorizationNumber' };

function grouped(symbols: string): string {
  return symbols.match(new RegExp(`.{1,${GROUP_LENGTH}}`, 'g'))?.join('-') ?? '';
}

/**
 * 11 random symbols (55 bits) and a check character, e.g. `K7Q2-M9XW-4HQ7`. Guessing one is
 * hopeless within the few tries an order allows; the check character tells a mistyped number
 * from a wrong one, so a typo does not count as a guess.
 */
export function generateAuthorizationNumber(random: Random = randomBytes): AuthorizationNumber {
  const body = encodeSymbols(random(7), AUTHORIZATION_LENGTH - 1);
  return grouped(body + checkSymbol(body)) as AuthorizationNumber;
}

/** What a person typed (any case, with or without dashes), in canonical form. */
export function parseAuthorizationNumber(input: string): Result<AuthorizationNumber> {
  const symbols = normalizeSymbols(input);
  if (
    symbols.length !== AUTHORIZATION_LENGTH ||
    [...symbols].some((char) => symbolValue(char) === undefined)
  ) {
    return refuse(
      'VALIDATION_FAILED',
      `An authorization number has ${AUTHORIZATION_LENGTH} letters and digits in groups of ${GROUP_LENGTH}, e.g. K7Q2-M9XW-4HQ7.`,
    );
  }
  if (!hasValidCheckSymbol(symbols))
    return refuse('CODE_MISTYPED', 'The authorization number has a mistyped character: check it again.');
  return ok(grouped(symbols) as AuthorizationNumber);
}

/**
 * Order secrets are random and long, so a plain SHA-256 keeps them as safe as a slow password
 * hash would, and lets the store find a confirmation login's order without trying every hash.
 */
export function hashOrderSecret(secret: string): string {
  return createHash('sha256').update(`keyward/order-secret\n${secret}`).digest('hex');
}

/** Compares a given secret with a stored hash in constant time. */
export function orderSecretMatches(given: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, 'hex');
  const actual = Buffer.from(hashOrderSecret(given), 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}

export interface ConfirmationCredentials {
  readonly login: string;
  readonly password: string;
}

/**
 * The credentials a processed order is looked up with again (the "Confirmation Info" of the
 * upgrade e-mail): they open that one order only, so they are random, not the dealer's.
 */
export function generateConfirmationCredentials(random: Random = randomBytes): ConfirmationCredentials {
  return {
    login: grouped(encodeSymbols(random(8), CONFIRMATION_LOGIN_LENGTH)),
    password: grouped(encodeSymbols(random(10), CONFIRMATION_PASSWORD_LENGTH)),
  };
}

/** Confirmation credentials as typed, in the canonical form they were issued in. */
export function normalizeConfirmationSecret(input: string): string {
  return grouped(normalizeSymbols(input));
}
