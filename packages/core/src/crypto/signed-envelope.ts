import { type KeyObject, sign, verify } from 'node:crypto';
import { type KeywardError, refuse } from '../errors.js';
import { ok, type Result } from '../result.js';
import { fromBase64Url, toBase64Url, utf8 } from './encoding.js';

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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
  return ok({
    v: 1,
    alg: SIGNATURE_ALGORITHM,
    kid: value.kid,
    typ: value.typ,
    payload: value.payload,
    sig: value.sig,
  });
}

/** What an envelope's signature covers, the signature and the key that must have made it. */
export interface SignatureCheck {
  readonly payload: Buffer;
  readonly input: Buffer;
  readonly signature: Buffer;
  readonly key: KeyObject;
}

/** The signature check of an envelope with `key`; undefined when its payload or signature is malformed. */
export function signatureCheckOf(envelope: SignedEnvelope, key: KeyObject): SignatureCheck | undefined {
  const payload = fromBase64Url(envelope.payload);
  const signature = fromBase64Url(envelope.sig);
  if (payload === undefined || signature === undefined || signature.length !== 64) return undefined;
  return { payload, input: signingInput(envelope.typ, payload), signature, key };
}

export function signatureHolds(check: SignatureCheck): boolean {
  return verify(null, check.input, check.key, check.signature);
}

/**
 * Verifies an envelope of the expected type with the key its `kid` names and returns the parsed
 * document, still `unknown`: each document type validates its own shape.
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
