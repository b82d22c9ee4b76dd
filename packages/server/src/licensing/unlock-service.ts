import {
  ACTIVATION_REQUEST_LABEL,
  ACTIVATION_REQUEST_MAX_AGE_MS,
  type Binding,
  DOCUMENTS,
  decideUnlockRequest,
  effectiveMaxTransfers,
  encodeSealedFile,
  encodeUnlockKey,
  err,
  keyIdOf,
  licenseRefusal,
  newId,
  ok,
  openSealedFile,
  parseSerial,
  provisionalFacts,
  type Result,
  readUnlockRequest,
  refuse,
  UNLOCK_KEY_LABEL,
} from '@keyward/core';
import type { ServerContext } from '../context.js';
import type { SerialRecord } from '../storage/binding-store.js';
import { grantLicense } from './activation-server.js';
import { readContainerMessage } from './container-message.js';
import { bindUnlessHeldBySite } from './site-held.js';

export interface UnlockKey {
  readonly serial: string;
  /** The Unlock Key file: the license grant, signed by the vendor and sealed to the container. */
  readonly file: string;
}

/**
 * E-mail or fax activation, the vendor's half: the activation request file in (integrity, then
 * decryption with the vendor's key, then the container's signature), the Unlock Key out. The
 * binding rules are those of online activation: a serial bound to another computer, or held
 * by a site server, is refused.
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

export interface UnlockCode {
  readonly serial: string;
  /** The Unlock Key code to read back to the customer. */
  readonly code: string;
}

/**
 * E-mail, fax or phone activation by codes: the serial and the activation request code in, the
 * Unlock Key code out. The code names the container by its installation id, so the serial is
 * bound provisionally until the container's first online check proves its keys. The binding
 * rules are those of online activation.
 */
export async function unlockFromCode(
  ctx: ServerContext,
  serialText: string,
  requestCode: string,
): Promise<Result<UnlockCode>> {
  const serial = parseSerial(serialText);
  if (!serial.ok) return serial;
  const request = readUnlockRequest(requestCode, serial.value);
  if (!request.ok) return request;
  const now = ctx.now();
  let record = await ctx.bindings.findSerial(serial.value);
  if (record === undefined) return refuse('SERIAL_UNKNOWN');
  const refusal = licenseRefusal(record.license, now);
  if (refusal !== undefined) return err(refusal);
  // Made before binding: terms too large for a code must leave the serial unbound.
  const unlocked = unlockCodeFor(ctx, record, request.value);
  if (!unlocked.ok) return unlocked;
  const asked = { product: record.productCode, serial: serial.value, ...request.value };
  const facts = provisionalFacts(request.value.installationId, request.value.partPrefixes);
  // Two rounds at most: losing the race to bind means deciding again against the winner.
  for (let round = 0; round < 2; round++) {
    const decision = decideUnlockRequest(record.binding, asked);
    if (decision === 'other-computer') return refuse('SERIAL_BOUND_ELSEWHERE');
    if (decision === 'same-container') return unlocked;
    const at = now.toISOString();
    if (decision === 'same-computer' && record.binding !== undefined) {
      await ctx.bindings.refresh(record.binding, facts, at);
      return unlocked;
    }
    const candidate: Binding = {
      id: newId('bnd'),
      licenseId: record.license.id,
      ...facts,
      createdAt: at,
      lastCheckedAt: at,
    };
    const bound = await bindUnlessHeldBySite(ctx, candidate);
    if (!bound.ok) return bound;
    if (bound.value) {
      ctx.metrics.activations.inc();
      return unlocked;
    }
    const again = await ctx.bindings.findSerial(serial.value);
    if (again === undefined) return refuse('SERIAL_UNKNOWN');
    record = again;
  }
  return refuse('SERIAL_BOUND_ELSEWHERE');
}

function unlockCodeFor(
  ctx: ServerContext,
  record: SerialRecord,
  request: Parameters<typeof encodeUnlockKey>[2],
): Result<UnlockCode> {
  const { license, policy } = record;
  const code = encodeUnlockKey(
    record.productCode,
    license.serial,
    request,
    {
      sequence: record.sequence,
      contents: record.contents,
      consumed: license.consumed,
      checkIntervalDays: policy.checkIntervalDays,
      graceDays: policy.graceDays,
      maxTransfers: effectiveMaxTransfers(policy, license),
      transfersUsed: license.transfersUsed,
      issuedAt: ctx.now().toISOString(),
    },
    ctx.keyring.signer,
  );
  return code.ok ? ok({ serial: license.serial, code: code.value }) : code;
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
