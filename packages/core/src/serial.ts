import { randomBytes } from 'node:crypto';
import {
  checkSymbol,
  encodeSymbols,
  hasValidCheckSymbol,
  normalizeSymbols,
  symbolValue,
} from './alphabet.js';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';

const GROUPS = 4;
const GROUP_LENGTH = 5;
const LENGTH = GROUPS * GROUP_LENGTH;

/** A serial number as people type it: 4 groups of 5 symbols, the last symbol a check character. */
export type Serial = string & { readonly __brand: 'Serial' };

function format(symbols: string): Serial {
  const groups: string[] = [];
  for (let i = 0; i < symbols.length; i += GROUP_LENGTH) groups.push(symbols.slice(i, i + GROUP_LENGTH));
  return groups.join('-') as Serial;
}

/** 19 random symbols (95 bits: not guessable) and a check character. */
export function generateSerial(random: (size: number) => Uint8Array = randomBytes): Serial {
  const body = encodeSymbols(random(12), LENGTH - 1);
  return format(body + checkSymbol(body));
}

/** The canonical form, as the SDK sends it: every machine request is parsed, so it skips normalizing. */
const CANONICAL = /^[0-9A-HJKMNP-TV-Z]{5}(?:-[0-9A-HJKMNP-TV-Z]{5}){3}$/;

/** Accepts what a person typed (any case, with or without dashes or spaces) and returns the canonical form. */
export function parseSerial(input: string): Result<Serial> {
  if (CANONICAL.test(input) && hasValidCheckSymbol(input.replaceAll('-', ''))) return ok(input as Serial);
  const symbols = normalizeSymbols(input);
  if (symbols.length !== LENGTH) {
    return refuse(
      'SERIAL_INVALID',
      `A serial number has ${LENGTH} characters in ${GROUPS} groups of ${GROUP_LENGTH}; this one has ${symbols.length}.`,
    );
  }
  const foreign = [...symbols].find((char) => symbolValue(char) === undefined);
  if (foreign !== undefined) {
    return refuse('SERIAL_INVALID', `A serial number cannot contain the character "${foreign}".`);
  }
  if (!hasValidCheckSymbol(symbols)) {
    return refuse('SERIAL_INVALID', 'This serial number has a mistyped character: please check it again.');
  }
  return ok(format(symbols));
}

/**
 * The canonical form of a serial when it is one, else the text as given: a key under which every
 * spelling of one serial (case, dashes, a mistyped look-alike) is counted and found together.
 */
export function serialKey(text: string): string {
  const parsed = parseSerial(text);
  return parsed.ok ? parsed.value : text;
}
