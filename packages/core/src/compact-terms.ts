import type { ContainerContents } from './contents.js';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';

/**
 * A license's terms in as few bytes as a code read over the phone can afford: unsigned varints
 * (7 bits a byte), names as length and ASCII, instants as milliseconds since 2000 so that they
 * come back exactly (the contents hash of a later update must match the vendor's). Passwords and
 * memory objects do not fit: such a license needs the Unlock Key file.
 */
export interface CompactTerms {
  readonly sequence: number;
  readonly contents: ContainerContents;
  readonly consumed: Readonly<Record<string, number>>;
  readonly checkIntervalDays: number;
  readonly graceDays: number;
  readonly maxTransfers: number | null;
  readonly transfersUsed: number;
  readonly issuedAt: string;
}

/** The most bytes of terms an Unlock Key code carries (with its 64-byte signature, about 52 groups). */
export const COMPACT_TERMS_MAX_BYTES = 64;

const EPOCH = Date.UTC(2000, 0, 1);
const ONGOING = 1;
const HAS_EXPIRY = 2;
const HAS_TRANSFER_LIMIT = 4;

const needsFile = (why: string) =>
  refuse(
    'UNLOCK_NEEDS_FILE',
    `This license's terms are too large for an Unlock Key code (${why}): send the Unlock Key file instead.`,
  );

class Writer {
  readonly bytes: number[] = [];
  uint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.bytes.push(rest);
  }
  name(text: string): void {
    this.uint(text.length);
    for (const char of text) this.bytes.push(char.charCodeAt(0));
  }
}

class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}
  get done(): boolean {
    return this.offset >= this.bytes.length;
  }
  uint(): number | undefined {
    let value = 0;
    for (let shift = 1; shift < 2 ** 49; shift *= 0x80) {
      const byte = this.bytes[this.offset++];
      if (byte === undefined) return undefined;
      value += (byte & 0x7f) * shift;
      if (byte < 0x80) return value;
    }
    return undefined;
  }
  name(): string | undefined {
    const length = this.uint();
    if (length === undefined || length === 0 || this.offset + length > this.bytes.length) return undefined;
    const text = String.fromCharCode(...this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return text;
  }
}

function instantMs(text: string): number | undefined {
  const ms = Date.parse(text) - EPOCH;
  return ms >= 0 && new Date(EPOCH + ms).toISOString() === text ? ms : undefined;
}

export function encodeCompactTerms(terms: CompactTerms): Result<Uint8Array> {
  const { contents } = terms;
  if (Object.keys(contents.passwords).length > 0) return needsFile('it holds application passwords');
  if (Object.keys(contents.memory).length > 0) return needsFile('it holds memory objects');
  const issued = instantMs(terms.issuedAt);
  const expiry = contents.expiresAt === null ? null : instantMs(contents.expiresAt);
  if (issued === undefined || expiry === undefined) return needsFile('a date before 2000');
  const out = new Writer();
  out.uint(
    (contents.verification === 'ongoing' ? ONGOING : 0) |
      (expiry === null ? 0 : HAS_EXPIRY) |
      (terms.maxTransfers === null ? 0 : HAS_TRANSFER_LIMIT),
  );
  out.uint(issued);
  if (expiry !== null) out.uint(expiry);
  out.uint(terms.sequence);
  out.uint(terms.checkIntervalDays);
  out.uint(terms.graceDays);
  if (terms.maxTransfers !== null) out.uint(terms.maxTransfers);
  out.uint(terms.transfersUsed);
  const items = Object.keys(contents.items).sort();
  out.uint(items.length);
  for (const item of items) {
    const seats = contents.items[item] ?? {};
    const kinds = Object.keys(seats).sort();
    out.name(item);
    out.uint(kinds.length);
    for (const kind of kinds) {
      out.name(kind);
      out.uint(seats[kind] ?? 0);
    }
  }
  const counters = Object.keys(contents.counters).sort();
  out.uint(counters.length);
  for (const counter of counters) {
    out.name(counter);
    out.uint(contents.counters[counter] ?? 0);
    out.uint(terms.consumed[counter] ?? 0);
  }
  if (out.bytes.length > COMPACT_TERMS_MAX_BYTES) return needsFile(`${out.bytes.length} bytes of terms`);
  return ok(Uint8Array.from(out.bytes));
}

/** Reads terms back; undefined when the bytes are not terms (the caller checked their signature). */
export function decodeCompactTerms(bytes: Uint8Array): CompactTerms | undefined {
  const input = new Reader(bytes);
  const flags = input.uint();
  const issued = input.uint();
  if (flags === undefined || issued === undefined || flags > 7) return undefined;
  const expiry = flags & HAS_EXPIRY ? input.uint() : null;
  const sequence = input.uint();
  const checkIntervalDays = input.uint();
  const graceDays = input.uint();
  const maxTransfers = flags & HAS_TRANSFER_LIMIT ? input.uint() : null;
  const transfersUsed = input.uint();
  const itemCount = input.uint();
  if (
    [expiry, sequence, checkIntervalDays, graceDays, maxTransfers, transfersUsed, itemCount].includes(
      undefined,
    )
  )
    return undefined;
  const items: Record<string, Record<string, number>> = {};
  for (let item = 0; item < (itemCount ?? 0); item++) {
    const name = input.name();
    const kindCount = input.uint();
    if (name === undefined || kindCount === undefined) return undefined;
    const seats: Record<string, number> = {};
    for (let kind = 0; kind < kindCount; kind++) {
      const kindName = input.name();
      const count = input.uint();
      if (kindName === undefined || count === undefined) return undefined;
      seats[kindName] = count;
    }
    items[name] = seats;
  }
  const counterCount = input.uint();
  if (counterCount === undefined) return undefined;
  const counters: Record<string, number> = {};
  const consumed: Record<string, number> = {};
  for (let counter = 0; counter < counterCount; counter++) {
    const name = input.name();
    const allowance = input.uint();
    const used = input.uint();
    if (name === undefined || allowance === undefined || used === undefined) return undefined;
    counters[name] = allowance;
    if (used > 0) consumed[name] = used;
  }
  if (!input.done) return undefined;
  return {
    sequence: sequence ?? 0,
    contents: {
      items,
      expiresAt: expiry === null || expiry === undefined ? null : new Date(EPOCH + expiry).toISOString(),
      counters,
      passwords: {},
      memory: {},
      verification: flags & ONGOING ? 'ongoing' : 'off',
    },
    consumed,
    checkIntervalDays: checkIntervalDays ?? 0,
    graceDays: graceDays ?? 0,
    maxTransfers: maxTransfers ?? null,
    transfersUsed: transfersUsed ?? 0,
    issuedAt: new Date(EPOCH + issued).toISOString(),
  };
}
