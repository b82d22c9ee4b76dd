import {
  type Binding,
  checkNeedsProof,
  type DeactivationReceipt,
  DOCUMENT_TYPES,
  decideBinding,
  effectiveMaxTransfers,
  err,
  type KeywardError,
  type LicenseGrant,
  type LicenseRequest,
  licenseRefusal,
  newId,
  nextCheckDate,
  ok,
  parseSerial,
  type Result,
  readDeactivationRequest,
  readLicenseRequest,
  refuse,
  requestDateRefusal,
  type SignedEnvelope,
  signDocument,
} from '@keyward/core';
import type { ServerContext } from '../context.js';
import type { SerialRecord } from '../storage/binding-store.js';
import { queueWebhookEvent } from '../webhooks/webhook-outbox.js';
import { type ContainerMessage, readContainerMessage } from './container-message.js';

/** Common checks of every machine request, in order: date -> serial form -> known serial. */
async function knownSerial(
  ctx: ServerContext,
  request: { readonly serial: string; readonly product: string; readonly issuedAt: string },
  now: Date,
): Promise<Result<SerialRecord>> {
  const stale = requestDateRefusal(request.issuedAt, now);
  if (stale !== undefined) return err(stale);
  const serial = parseSerial(request.serial);
  if (!serial.ok) return serial;
  const record = await ctx.bindings.findSerial(serial.value);
  if (record === undefined || record.productCode !== request.product) return refuse('SERIAL_UNKNOWN');
  return ok(record);
}

/** ...then the license must be usable: not suspended, not expired. */
async function usableSerial(
  ctx: ServerContext,
  request: { readonly serial: string; readonly product: string; readonly issuedAt: string },
  now: Date,
): Promise<Result<SerialRecord>> {
  const record = await knownSerial(ctx, request, now);
  if (!record.ok) return record;
  const refusal = licenseRefusal(record.value.license, now);
  return refusal === undefined ? record : err(refusal);
}

/**
 * A check the license refused (suspended, expired, bound elsewhere): the vendor hears of it by
 * webhook, when the request really came from the container it names.
 */
async function checkFailed(
  ctx: ServerContext,
  record: SerialRecord,
  proven: boolean,
  refusal: KeywardError,
  now: Date,
) {
  if (proven) {
    const data = { licenseId: record.license.id, serial: record.license.serial, code: refusal.code };
    await queueWebhookEvent(ctx.db, {
      id: newId('evt'),
      type: 'license.check_failed',
      data,
      at: now.toISOString(),
    });
  }
  return err(refusal);
}

/** Binds the serial if unused, or refreshes the binding of this computer; refuses for another computer. */
async function bindOrRefresh(
  ctx: ServerContext,
  record: SerialRecord,
  request: LicenseRequest,
  at: string,
): Promise<Result<Binding>> {
  const keys = { containerKey: request.containerKey, containerBoxKey: request.containerBoxKey };
  let current = record.binding;
  // Two rounds at most: losing the race to bind means deciding again against the winner.
  for (let round = 0; round < 2; round++) {
    const decision = decideBinding(current, request.fingerprintHash);
    if (decision === 'other-computer') return refuse('SERIAL_BOUND_ELSEWHERE');
    if (decision === 'same-computer' && current !== undefined) {
      await ctx.bindings.refresh(current, keys, at);
      return ok({ ...current, ...keys, lastCheckedAt: at });
    }
    const candidate: Binding = {
      id: newId('bnd'),
      licenseId: record.license.id,
      fingerprintHash: request.fingerprintHash,
      ...keys,
      createdAt: at,
      lastCheckedAt: at,
    };
    if (await ctx.bindings.bindIfUnbound(candidate)) {
      ctx.metrics.activations.inc();
      return ok(candidate);
    }
    current = (await ctx.bindings.findSerial(record.license.serial))?.binding;
  }
  return refuse('SERIAL_BOUND_ELSEWHERE');
}

/**
 * Activation and CheckLicense on the activation server: a serial not in use is bound to this
 * computer, a serial bound to this computer succeeds, a serial bound to another fails. Success
 * answers with a vendor-signed grant carrying the next online check and the asker's nonce.
 */
export async function presentSerial(
  ctx: ServerContext,
  message: ContainerMessage,
): Promise<Result<SignedEnvelope>> {
  const read = readContainerMessage(message, DOCUMENT_TYPES.licenseRequest, readLicenseRequest);
  if (!read.ok) return read;
  const request = read.value.document;
  const now = ctx.now();
  const record = await knownSerial(ctx, request, now);
  if (!record.ok) return record;
  const refusal = licenseRefusal(record.value.license, now);
  if (refusal !== undefined) return checkFailed(ctx, record.value, read.value.prove().ok, refusal, now);
  if (checkNeedsProof(record.value.binding, request)) {
    const proven = read.value.prove();
    if (!proven.ok) return proven;
  }
  const { license, policy, contents, sequence } = record.value;
  const binding = await bindOrRefresh(ctx, record.value, request, now.toISOString());
  if (!binding.ok) return checkFailed(ctx, record.value, true, binding.error, now);
  const grant: LicenseGrant = {
    licenseId: license.id,
    serial: license.serial,
    product: record.value.productCode,
    bindingId: binding.value.id,
    containerKey: binding.value.containerKey,
    fingerprintHash: binding.value.fingerprintHash,
    verification: contents.verification,
    checkIntervalDays: policy.checkIntervalDays,
    nextCheckAt:
      nextCheckDate({ ...policy, verification: contents.verification }, now)?.toISOString() ?? null,
    expiresAt: license.expiresAt,
    transfersUsed: license.transfersUsed,
    maxTransfers: effectiveMaxTransfers(policy, license),
    issuedAt: now.toISOString(),
    nonce: request.nonce,
    sequence,
    contents,
  };
  return ok(signDocument(DOCUMENT_TYPES.licenseGrant, grant, ctx.keyring.signer));
}

/**
 * Deactivation for a transfer, signed by the container that holds the serial: the serial is
 * released and the transfer counted against the policy's limit, all at once or not at all.
 */
export async function releaseSerial(
  ctx: ServerContext,
  message: ContainerMessage,
): Promise<Result<SignedEnvelope>> {
  const read = readContainerMessage(message, DOCUMENT_TYPES.deactivationRequest, readDeactivationRequest);
  if (!read.ok) return read;
  const opened = read.value.prove();
  if (!opened.ok) return opened;
  const request = opened.value;
  const now = ctx.now();
  const record = await usableSerial(ctx, request, now);
  if (!record.ok) return record;
  const released = await ctx.bindings.release({
    licenseId: record.value.license.id,
    bindingId: request.bindingId,
    containerKey: request.containerKey,
    nonce: request.nonce,
    maxTransfers: record.value.policy.maxTransfers,
    at: now.toISOString(),
  });
  if (!released.ok) return released;
  const receipt: DeactivationReceipt = {
    serial: record.value.license.serial,
    bindingId: request.bindingId,
    transfersUsed: released.value,
    maxTransfers: effectiveMaxTransfers(record.value.policy, record.value.license),
    deactivatedAt: now.toISOString(),
    nonce: request.nonce,
  };
  return ok(signDocument(DOCUMENT_TYPES.deactivationReceipt, receipt, ctx.keyring.signer));
}
