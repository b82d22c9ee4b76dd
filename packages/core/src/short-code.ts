import { checkSymbol, normalizeSymbols, symbolAt, symbolValue } from './alphabet.js';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';

/** Symbols of data in each group; the fifth is the group's check character. */
const DATA_SYMBOLS = 4;
const GROUP = DATA_SYMBOLS + 1;

/** The check character covers the group's position too, so two swapped groups are caught as well. */
function groupCheck(index: number, data: string): string {
  return checkSymbol(symbolAt(index % 32) + data);
}

/**
 * Bytes as a code a person can read over the phone: groups of 5 characters from an alphabet
 * without look-alikes (`7KQ2M-0ZX4P-...`), each group ending in a check character.
 */
export function encodeShortCode(bytes: Uint8Array): string {
  let bits = '';
  for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
  const groupBits = DATA_SYMBOLS * 5;
  bits = bits.padEnd(Math.ceil(bits.length / groupBits) * groupBits, '0');
  const groups: string[] = [];
  for (let start = 0; start < bits.length; start += groupBits) {
    let data = '';
    for (let offset = 0; offset < groupBits; offset += 5)
      data += symbolAt(Number.parseInt(bits.slice(start + offset, start + offset + 5), 2));
    groups.push(data + groupCheck(groups.length, data));
  }
  return groups.join('-');
}

/**
 * Reads a code back to its bytes (with up to 19 bits of zero padding at the end), naming the
 * group that was mistyped.
 */
export function decodeShortCode(input: string): Result<Buffer> {
  const symbols = normalizeSymbols(input);
  if (symbols.length === 0 || symbols.length % GROUP !== 0) {
    return refuse(
      'CODE_MISTYPED',
      `A code is made of groups of ${GROUP} characters; this one has ${symbols.length} characters.`,
    );
  }
  let bits = '';
  for (let index = 0; index * GROUP < symbols.length; index++) {
    const group = symbols.slice(index * GROUP, index * GROUP + GROUP);
    const data = group.slice(0, DATA_SYMBOLS);
    const values = [...data].map((char) => symbolValue(char));
    if (
      values.some((value) => value === undefined) ||
      symbolValue(group.charAt(DATA_SYMBOLS)) === undefined ||
      groupCheck(index, data) !== group.charAt(DATA_SYMBOLS)
    ) {
      return refuse(
        'CODE_MISTYPED',
        `Group ${index + 1} of the code (${group}) is mistyped: please check it again.`,
        { group: index + 1 },
      );
    }
    for (const value of values) bits += (value ?? 0).toString(2).padStart(5, '0');
  }
  const bytes = Buffer.alloc(Math.floor(bits.length / 8));
  for (let index = 0; index < bytes.length; index++)
    bytes[index] = Number.parseInt(bits.slice(index * 8, index * 8 + 8), 2);
  return ok(bytes);
}
