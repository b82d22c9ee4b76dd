import { createHash } from 'node:crypto';
import { utf8 } from './encoding.js';

/**
 * Merkle batch signatures (docs/batch-signing.md): one Ed25519 signature over the root of a tree
 * of answers, each answer carrying its audit path. The tree is RFC 9162's (Certificate
 * Transparency v2): leaves and nodes hashed with distinct prefixes, the left subtree the largest
 * power of two below the size, audit paths listed from the leaf up.
 */

/** The largest batch a verifier accepts: 2^16 answers, so an audit path has at most 16 hashes. */
export const MAX_BATCH_SIZE = 65_536;
export const MAX_BATCH_PATH = 16;
export const BATCH_HASH_BYTES = 32;

/**
 * The root's signing input starts with this label. Every other input the vendor key signs starts
 * with `keyward/v1/` (documents, activation and Unlock Key codes), so byte 8 (`b`, not
 * `v`) already tells a root from any document, whatever its type.
 */
export const BATCH_ROOT_LABEL = 'keyward/batch/v1\n';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

const sha256 = (...parts: readonly Buffer[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** A leaf: SHA-256(0x00 || document signing input), the input a plain signature would cover. */
export function batchLeafHash(signingInput: Buffer): Buffer {
  return sha256(LEAF_PREFIX, signingInput);
}

export function batchNodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256(NODE_PREFIX, left, right);
}

/** What the vendor signs for a batch: the label, the tree size (4 bytes, big-endian), the root. */
export function batchRootInput(size: number, root: Buffer): Buffer {
  const sizeBytes = Buffer.alloc(4);
  sizeBytes.writeUInt32BE(size);
  return Buffer.concat([utf8(BATCH_ROOT_LABEL), sizeBytes, root]);
}

/** The largest power of two strictly below `n` (n >= 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export interface BatchTree {
  readonly root: Buffer;
  /** For each leaf, its audit path from the leaf up to (not including) the root. */
  readonly paths: readonly (readonly Buffer[])[];
}

/** Builds the tree over `leaves` (at least one) in one pass: O(n) hashes, O(n log n) path entries. */
export function buildBatchTree(leaves: readonly Buffer[]): BatchTree {
  if (leaves.length === 0) throw new RangeError('A batch tree needs at least one leaf.');
  const paths: Buffer[][] = leaves.map(() => []);
  const hashRange = (from: number, to: number): Buffer => {
    if (to - from === 1) return leaves[from] as Buffer;
    const middle = from + split(to - from);
    const left = hashRange(from, middle);
    const right = hashRange(middle, to);
    for (let i = from; i < middle; i++) paths[i]?.push(right);
    for (let i = middle; i < to; i++) paths[i]?.push(left);
    return batchNodeHash(left, right);
  };
  return { root: hashRange(0, leaves.length), paths };
}

/**
 * The root a leaf's audit path leads to (RFC 9162, section 2.1.3.2), or undefined when the path
 * cannot belong to a leaf at `index` of a tree of `size` (wrong length, index out of range).
 */
export function batchRootFromPath(
  leaf: Buffer,
  index: number,
  size: number,
  path: readonly Buffer[],
): Buffer | undefined {
  if (index < 0 || index >= size || path.length > MAX_BATCH_PATH) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const sibling of path) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = batchNodeHash(sibling, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = batchNodeHash(r, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}
