import { keyIdOf, openSignedDocument, publicKeyFromRaw, type Result, refuse } from '@keyward/core';

/** What a container sends: a document it signed, beside the public key that verifies it. */
export interface ContainerMessage {
  readonly containerKey: string;
  readonly request: unknown;
}

/**
 * Verifies a container's signed document with the key sent beside it and checks the document
 * names that same key, so a container can only speak for itself.
 */
export function openContainerMessage<T extends { readonly containerKey: string }>(
  message: ContainerMessage,
  typ: string,
  read: (value: unknown) => Result<T>,
): Result<T> {
  const key = publicKeyFromRaw('ed25519', message.containerKey);
  if (key === undefined) return refuse('VALIDATION_FAILED', 'containerKey is not an Ed25519 public key.');
  const kid = keyIdOf('ed25519', message.containerKey);
  const opened = openSignedDocument(message.request, typ, (candidate) =>
    candidate === kid ? key : undefined,
  );
  if (!opened.ok) {
    return opened.error.code === 'UNKNOWN_KEY_ID'
      ? refuse('SIGNATURE_INVALID', 'The request is not signed by the container key it names.')
      : opened;
  }
  const document = read(opened.value);
  if (!document.ok) return document;
  if (document.value.containerKey !== message.containerKey) {
    return refuse('SIGNATURE_INVALID', 'The request is not signed by the container key it names.');
  }
  return document;
}
