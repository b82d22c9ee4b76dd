import { type KeyObject, sign, verify } from 'node:crypto';
import { type KeywardError, refuse } from '../errors.js';
import { ok, type Result } from '../result.js';
import { fromBase64Url, toBase64Url, utf8 } from './encoding.js';
import {
  BATCH_HASH_BYTES,
  batchLeafHash,
  batchRootFromPath,
  batchRootInput,
  buildBatchTree,
  MAX_BATCH_PATH,
  MAX_BATCH_SIZE,
} from './merkle-batch.js';

export const SIGNATURE_ALGORITHM = 'Ed25519';

/**
 * A document signed with Ed25519. It names its algorithm, the signing key id and its type; the
 * signature covers the type too, so a signature made for one kind of document is never accepted
 * as another.
 */
export interface SignedEnvelope {
  readonly v: 1;
  readonly alg: typeof SIGNATURE_ALGORITHM;
  readonly kid: string;
  readonly typ: string;
  readonly payload: string;
  readonly sig: string;
  /**
   * Present when the document was signed in a batch (docs/batch-signing.md): `sig` then covers
   * the root of the batch's Merkle tree, and this is where the document sits in it. Absent on a
   * plain envelope, and a batch of one is always sent plain.
   */
  readonly batch?: BatchProof;
}

/** A document's place in a signed batch: tree size (2 or more), leaf index, audit path (base64url hashes, leaf up). */
export interface BatchProof {
  readonly size: number;
  readonly index: number;
  readonly path: string[];
}

export interface Signer {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

function signingInput(typ: string, payload: Buffer): Buffer {
  return Buffer.concat([utf8(`keyward/v1/${typ}\n`), payload]);
}

export function signDocument(typ: string, document: unknown, signer: Signer): SignedEnvelope {
  const payload = utf8(JSON.stringify(document));
  const sig = sign(null, signingInput(typ, payload), signer.privateKey);
  return {
    v: 1,
    alg: SIGNATURE_ALGORITHM,
    kid: signer.kid,
    typ,
    payload: toBase64Url(payload),
    sig: toBase64Url(sig),
  };
}

export interface DocumentToSign {
  readonly typ: string;
  readonly document: unknown;
}

/**
 * Signs several documents with one signature over the root of their Merkle tree; each envelope
 * carries its own audit path, in the order given. A single document is signed plain, exactly as
 * `signDocument` does.
 */
export function signDocumentBatch(documents: readonly DocumentToSign[], signer: Signer): SignedEnvelope[] {
  if (documents.length > MAX_BATCH_SIZE) {
    throw new RangeError(`A batch holds at most ${MAX_BATCH_SIZE} documents, not ${documents.length}.`);
  }
  const [only] = documents;
  if (only === undefined) return [];
  if (documents.length === 1) return [signDocument(only.typ, only.document, signer)];
  const payloads = documents.map(({ document }) => utf8(JSON.stringify(document)));
  const leaves = documents.map(({ typ }, i) => batchLeafHash(signingInput(typ, payloads[i] as Buffer)));
  const tree = buildBatchTree(leaves);
  const sig = toBase64Url(sign(null, batchRootInput(leaves.length, tree.root), signer.privateKey));
  return documents.map(({ typ }, index) => ({
    v: 1,
    alg: SIGNATURE_ALGORITHM,
    kid: signer.kid,
    typ,
    payload: toBase64Url(payloads[index] as Buffer),
    sig,
    batch: { size: leaves.length, index, path: (tree.paths[index] ?? []).map(toBase64Url) },
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isIndex = (value: unknown, below: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < below;

/**
 * A batch field of the canonical form, or a refusal: closed fields, a size from 2 to
 * MAX_BATCH_SIZE, an index inside it, at most MAX_BATCH_PATH hashes of 32 bytes each.
 */
function parseBatchProof(value: unknown): Result<BatchProof> {
  const malformed = refuse('SIGNATURE_INVALID', 'The batch signature proof is not in the expected form.');
  if (!isRecord(value) || Object.keys(value).length !== 3) return malformed;
  const { size, index, path } = value;
  if (!isIndex(size, MAX_BATCH_SIZE + 1) || size < 2 || !isIndex(index, size)) return malformed;
  if (!Array.isArray(path) || path.length > MAX_BATCH_PATH) return malformed;
  const hashes: string[] = [];
  for (const element of path) {
    if (typeof element !== 'string' || fromBase64Url(element)?.length !== BATCH_HASH_BYTES) return malformed;
    hashes.push(element);
  }
  return ok({ size, index, path: hashes });
}

export function parseSignedEnvelope(value: unknown): Result<SignedEnvelope> {
  if (
    !isRecord(value) ||
    value.v !== 1 ||
    typeof value.kid !== 'string' ||
    typeof value.typ !== 'string' ||
    typeof value.payload !== 'string' ||
    typeof value.sig !== 'string'
  ) {
    return refuse('VALIDATION_FAILED', 'The signed document is not in the expected form.');
  }
  if (value.alg !== SIGNATURE_ALGORITHM) {
    return refuse('SIGNATURE_INVALID', `Signature algorithm "${String(value.alg)}" is not accepted.`);
  }
  const envelope: SignedEnvelope = {
    v: 1,
    alg: SIGNATURE_ALGORITHM,
    kid: value.kid,
    typ: value.typ,
    payload: value.payload,
    sig: value.sig,
  };
  if (value.batch === undefined) return ok(envelope);
  const batch = parseBatchProof(value.batch);
  return batch.ok ? ok({ ...envelope, batch: batch.value }) : batch;
}

/** Whether `sig` covers this document: directly, or through the root its batch proof leads to. */
function signatureCovers(input: Buffer, sig: Buffer, batch: BatchProof | undefined, key: KeyObject): boolean {
  if (batch === undefined) return verify(null, input, key, sig);
  const path: Buffer[] = [];
  for (const element of batch.path) {
    const hash = fromBase64Url(element);
    if (hash === undefined) return false;
    path.push(hash);
  }
  const root = batchRootFromPath(batchLeafHash(input), batch.index, batch.size, path);
  return root !== undefined && verify(null, batchRootInput(batch.size, root), key, sig);
}

/**
 * What an envelope's signature covers, the signature, the batch proof that leads from the one to
 * the other (if it was signed in a batch) and the key that must have made it.
 */
export interface SignatureCheck {
  readonly payload: Buffer;
  readonly input: Buffer;
  readonly signature: Buffer;
  readonly batch: BatchProof | undefined;
  readonly key: KeyObject;
}

/** The signature check of an envelope with `key`; undefined when its payload or signature is malformed. */
export function signatureCheckOf(envelope: SignedEnvelope, key: KeyObject): SignatureCheck | undefined {
  const payload = fromBase64Url(envelope.payload);
  const signature = fromBase64Url(envelope.sig);
  if (payload === undefined || signature === undefined || signature.length !== 64) return undefined;
  return { payload, input: signingInput(envelope.typ, payload), signature, batch: envelope.batch, key };
}

/** Whether the signature covers the document: directly, or through the root its batch proof leads to. */
export function signatureHolds(check: SignatureCheck): boolean {
  return signatureCovers(check.input, check.signature, check.batch, check.key);
}

/**
 * Verifies an envelope of the expected type with the key its `kid` names and returns the parsed
 * document, still `unknown`: each document type validates its own shape. A batch-signed envelope
 * is verified through its audit path to the signed root.
 */
export function openSignedDocument(
  envelope: unknown,
  typ: string,
  keyFor: (kid: string) => KeyObject | undefined,
): Result<unknown, KeywardError> {
  const parsed = parseSignedEnvelope(envelope);
  if (!parsed.ok) return parsed;
  const { kid } = parsed.value;
  if (parsed.value.typ !== typ) {
    return refuse('WRONG_FILE_KIND', `Expected a "${typ}" document, got "${parsed.value.typ}".`);
  }
  const key = keyFor(kid);
  if (key === undefined) return refuse('UNKNOWN_KEY_ID', `The document is signed with unknown key "${kid}".`);
  const check = signatureCheckOf(parsed.value, key);
  if (check === undefined || !signatureHolds(check)) return refuse('SIGNATURE_INVALID');
  try {
    return ok(JSON.parse(check.payload.toString('utf8')) as unknown);
  } catch {
    return refuse('SIGNATURE_INVALID', 'The signed document does not hold JSON.');
  }
}
