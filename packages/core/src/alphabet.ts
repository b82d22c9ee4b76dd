/**
 * Crockford's base 32 alphabet: digits and letters without I, L, O and U, so that what a person
 * reads aloud or types cannot be confused. Look-alikes are accepted on input and mapped back.
 */
export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LOOK_ALIKES: Readonly<Record<string, string>> = { I: '1', L: '1', O: '0' };

const VALUE_OF = new Map([...ALPHABET].map((char, index) => [char, index]));

export function symbolValue(char: string): number | undefined {
  return VALUE_OF.get(char);
}

export function symbolAt(value: number): string {
  const char = ALPHABET[value];
  if (char === undefined) throw new RangeError(`No symbol for value ${value}`);
  return char;
}

/** Upper-cases, drops separators and spaces, and maps look-alike letters onto the alphabet. */
export function normalizeSymbols(input: string): string {
  return input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[ILO]/g, (char) => LOOK_ALIKES[char] ?? char);
}

/**
 * Luhn mod N check character over the alphabet: it catches every single mistyped character and
 * most swaps of two neighbours.
 */
export function checkSymbol(symbols: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = symbols.length - 1; i >= 0; i--) {
    const value = symbolValue(symbols.charAt(i));
    if (value === undefined) throw new RangeError(`Not an alphabet symbol: ${symbols.charAt(i)}`);
    let addend = factor * value;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / ALPHABET.length) + (addend % ALPHABET.length);
    sum += addend;
  }
  const remainder = sum % ALPHABET.length;
  return symbolAt((ALPHABET.length - remainder) % ALPHABET.length);
}

export function hasValidCheckSymbol(symbolsWithCheck: string): boolean {
  const body = symbolsWithCheck.slice(0, -1);
  return body.length > 0 && checkSymbol(body) === symbolsWithCheck.slice(-1);
}

export function encodeSymbols(bytes: Uint8Array, count: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < count) {
      out += symbolAt((buffer >> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  if (out.length < count) throw new RangeError(`Not enough bytes for ${count} symbols`);
  return out;
}
