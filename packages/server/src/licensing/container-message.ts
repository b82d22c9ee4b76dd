import {
  type DocumentKind,
  keyIdOf,
  ok,
  openSignedDocument,
  parseSignedEnvelope,
  publicKeyFromRaw,
  type Result,
  refuse,
  serialKey,
} from '@keyward/core';

/** What a container sends: a document it signed, beside the public key that verifies it. */
export interface ContainerMessage {
  readonly containerKey: string;
  readonly request: unknown;
}

export interface ReadMessage<T> {
  readonly document: T;
  /** Verifies the container's signature; callers do so before any change the document asks for. */
  prove(): Result<T>;
}

const notTheirs = () =>
  refuse('SIGNATURE_INVALID', 'The request is not signed by the container key it names.');

/**
 * Reads a container's signed document and checks that it names the key sent beside it. The
 * signature itself is verified by `prove()`, which the caller runs where the answer depends on
 * who is asking.
 */
export function readContainerMessage<T extends { readonly containerKey: string }>(
  message: ContainerMessage,
  kind: DocumentKind<T>,
): Result<ReadMessage<T>> {
  const { typ } = kind;
  const key = publicKeyFromRaw('ed25519', message.containerKey);
  if (key === undefined) return refuse('VALIDATION_FAILED', 'containerKey is not an Ed25519 public key.');
  const envelope = parseSignedEnvelope(message.request);
  if (!envelope.ok) return envelope;
  if (envelope.value.typ !== typ)
    return refuse('WRONG_FILE_KIND', `Expected a "${typ}" document, got "${envelope.value.typ}".`);
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(envelope.value.payload, 'base64url').toString('utf8'));
  } catch {
    return refuse('VALIDATION_FAILED', 'The signed request does not hold JSON.');
  }
  const document = kind.reader.read(payload);
  if (!document.ok) return document;
  if (document.value.containerKey !== message.containerKey) return notTheirs();
  // Verified once at most, whichever of the caller's decisions needs it first; a periodic check
  // that changes nothing never needs it, so it pays for neither the key id nor the verification.
  let proof: Result<T> | undefined;
  return ok({
    document: document.value,
    prove() {
      if (proof !== undefined) return proof;
      const kid = keyIdOf('ed25519', message.containerKey);
      const verified = openSignedDocument(message.request, typ, (candidate) =>
        candidate === kid ? key : undefined,
      );
      if (verified.ok) proof = ok(document.value);
      else proof = verified.error.code === 'UNKNOWN_KEY_ID' ? notTheirs() : verified;
      return proof;
    },
  });
}

/**
 * The serial a container's request names, read without verifying anything: enough to count the
 * requests made for one serial, never to decide on them.
 */
export function namedSerial(message: ContainerMessage): string | undefined {
  const envelope = parseSignedEnvelope(message.request);
  if (!envelope.ok) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(envelope.value.payload, 'base64url').toString('utf8'));
    const serial = (payload as { serial?: unknown } | null)?.serial;
    return typeof serial === 'string' ? serialKey(serial) : undefined;
  } catch {
    return undefined;
  }
}
