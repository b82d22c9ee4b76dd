import {
  ACTIVATION_REQUEST_LABEL,
  ACTIVATION_REQUEST_MAX_AGE_MS,
  DOCUMENTS,
  encodeSealedFile,
  keyIdOf,
  ok,
  openSealedFile,
  type Result,
  UNLOCK_KEY_LABEL,
} from '@keyward/core';
import type { ServerContext } from '../context.js';
import { grantLicense } from './activation-server.js';
import { readContainerMessage } from './container-message.js';

export interface UnlockKey {
  readonly serial: string;
  /** The Unlock Key file: the license grant, signed by the vendor and sealed to the container. */
  readonly file: string;
}

/**
 * E-mail or fax activation, the vendor's half: the activation request file in (integrity, then
 * decryption with the vendor's key, then the container's signature), the Unlock Key out. The
 * binding rules are those of online activation: a serial bound to another computer is refused.
 */
export async function unlockFromRequest(ctx: ServerContext, text: string): Promise<Result<UnlockKey>> {
  const opened = openSealedFile(text, ACTIVATION_REQUEST_LABEL, (kid) => ctx.keyring.unsealKeyFor(kid));
  if (!opened.ok) return opened;
  const payload = readPayload(opened.value);
  const claimed = DOCUMENTS.licenseRequest.reader.read(payload);
  if (!claimed.ok) return claimed;
  const message = readContainerMessage(
    { containerKey: claimed.value.containerKey, request: opened.value },
    DOCUMENTS.licenseRequest,
  );
  if (!message.ok) return message;
  const request = message.value.prove();
  if (!request.ok) return request;
  const grant = await grantLicense(ctx, request.value, () => request, ACTIVATION_REQUEST_MAX_AGE_MS);
  if (!grant.ok) return grant;
  const { containerBoxKey, serial, product } = request.value;
  const file = encodeSealedFile(UNLOCK_KEY_LABEL, { Serial: serial, Product: product }, grant.value, {
    kid: keyIdOf('x25519', containerBoxKey),
    publicKey: containerBoxKey,
  });
  return ok({ serial, file });
}

function readPayload(envelope: unknown): unknown {
  const payload = (envelope as { payload?: unknown } | null)?.payload;
  if (typeof payload !== 'string') return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
