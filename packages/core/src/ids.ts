import { randomBytes } from 'node:crypto';
import { encodeSymbols } from './alphabet.js';

export const ID_PREFIXES = [
  'prd',
  'pol',
  'lic',
  'bnd',
  'ctr',
  'evt',
  'tok',
  'upd',
  'job',
  'whk',
  'dlv',
  'dlr',
  'ord',
  'msg',
  'sit',
  'lea',
  'ren',
  'don',
  'ntf',
] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

/**
 * Prefixed ids that sort by creation time: 10 symbols of milliseconds, then 16 random symbols.
 * The prefix tells a reader what the id names (`lic_` a license, `pol_` a policy...).
 */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(now) << 14n);
  return `${prefix}_${encodeSymbols(time, 10)}${encodeSymbols(randomBytes(10), 16)}`.toLowerCase();
}
