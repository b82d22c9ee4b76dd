import {
  acceptsSealing,
  type Binding,
  bindingFactsDiffer,
  checkNeedsProof,
  consumptionGrows,
  type DeactivationReceipt,
  DOCUMENT_TYPES,
  DOCUMENTS,
  decideProvenBinding,
  effectiveMaxTransfers,
  err,
  type KeywardError,
  type LicenseGrant,
  type LicenseRefusal,
  type LicenseRequest,
  licenseRefusal,
  newId,
  nextCheckDate,
  ok,
  parseSerial,
  type Result,
  refuse,
  requestDateRefusal,
  type SignedEnvelope,
} from '@keyward/core';
import type { ServerContext } from '../context.js';
import type { SerialRecord } from '../storage/binding-store.js';
import { type ContainerMessage, readContainerMessage } from './container-message.js';
import { recordMachineEvent } from './machine-audit.js';
import { bindUnlessHeldBySite } from './site-held.js';

/**
 * A machine-API refusal: the error, and the vendor's signature over it and the asker's nonce
 * whenever the request is signed by the container it names. The SDK acts only on signed ones.
 */
export interface MachineRefusal {
  readonly error: KeywardError;
  readonly signed: SignedEnvelope | undefined;
  /** The serial the refused request named, when its container proved it asked. */
  readonly serial?: string;
}

type MachineResult<T> = Result<T, MachineRefusal>;

const unsigned = (error: KeywardError): MachineResult<never> => err({ error, signed: undefined });

async function signedRefusal(
  ctx: ServerContext,
  asker: { readonly serial: string; readonly containerKey: string; readonly nonce: string },
  error: KeywardError,
): Promise<MachineResult<never>> {
  const refusal: LicenseRefusal = {
    code: error.code,
    message: error.message,
    serial: asker.serial,
    containerKey: asker.containerKey,
    issuedAt: ctx.now().toISOString(),
    nonce: asker.nonce,
  };
  const signed = await ctx.answers.sign(DOCUMENT_TYPES.licenseRefusal, refusal);
  return err({ error, signed, serial: asker.serial });
}

/** Common checks of every machine request, in order: date -> serial form -> known serial. */
async function knownSerial(
  ctx: ServerContext,
  request: { readonly serial: string; readonly product: string; readonly issuedAt: string },
  now: Date,
  maxAgeMs?: number,
): Promise<Result<SerialRecord>> {
  const stale = requestDateRefusal(request.issuedAt, now, maxAgeMs);
  if (stale !== undefined) return err(stale);
  const serial = parseSerial(request.serial);
  if (!serial.ok) return serial;
  const record = await ctx.bindings.findSerial(serial.value);
  if (record === undefined || record.productCode !== request.product) return refuse('SERIAL_UNKNOWN');
  return ok(record);
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
  if (proven) await ctx.bindings.recordCheckFailure(record.license, refusal.code, now.toISOString());
  return err(refusal);
}

/**
 * Binds the serial if unused, or refreshes the binding of this computer; refuses for another
 * computer, and a new binding of a serial a site server holds.
 */
async function bindOrRefresh(
  ctx: ServerContext,
  record: SerialRecord,
  request: LicenseRequest,
  at: string,
): Promise<Result<Binding>> {
  // The container and the computer as they are now: a tolerated hardware change moves the binding along.
  const keys = {
    containerKey: request.containerKey,
    containerBoxKey: request.containerBoxKey,
    fingerprintHash: request.fingerprintHash,
    fingerprintParts: request.fingerprintParts,
  };
  let current = record.binding;
  if ((current === undefined || bindingFactsDiffer(current, keys)) && !acceptsSealing(keys.containerBoxKey)) {
    return refuse(
      'VALIDATION_FAILED',
      'containerBoxKey is not an X25519 public key that updates can be sealed to.',
    );
  }
  // Two rounds at most: losing the race to bind means deciding again against the winner.
  for (let round = 0; round < 2; round++) {
    // A binding made by phone is this container's once its proven keys give the installation id.
    const decision = decideProvenBinding(current, { ...request, product: record.productCode });
    if (decision === 'other-computer') return refuse('SERIAL_BOUND_ELSEWHERE');
    if (decision === 'same-computer' && current !== undefined) {
      await ctx.bindings.refresh(current, keys, at);
      return ok({ ...current, ...keys, lastCheckedAt: at });
    }
    const candidate: Binding = {
      id: newId('bnd'),
      licenseId: record.license.id,
      ...keys,
      createdAt: at,
      lastCheckedAt: at,
    };
    const bound = await bindUnlessHeldBySite(ctx, candidate);
    if (!bound.ok) return bound;
    if (bound.value) {
      ctx.metrics.activations.inc();
      return ok(candidate);
    }
    current = (await ctx.bindings.findSerial(record.license.serial))?.binding;
  }
  return refuse('SERIAL_BOUND_ELSEWHERE');
}

/**
 * The license granted to a binding: every term the application acts on, from the vendor's record
 * (its latest update step, so a check delivers what the vendor changed), signed over the nonce
 * (alone, or in a batch with the other answers of the moment).
 */
export function grantFor(
  ctx: ServerContext,
  record: SerialRecord,
  binding: Binding,
  consumed: Readonly<Record<string, number>>,
  nonce: string,
  now: Date,
): Promise<SignedEnvelope> {
  const { license, policy, contents, sequence } = record;
  const grant: LicenseGrant = {
    serial: license.serial,
    product: record.productCode,
    bindingId: binding.id,
    containerKey: binding.containerKey,
    containerBoxKey: binding.containerBoxKey,
    fingerprintHash: binding.fingerprintHash,
    fingerprintParts: binding.fingerprintParts,
    sequence,
    contents,
    consumed,
    checkIntervalDays: policy.checkIntervalDays,
    graceDays: policy.graceDays,
    maxTransfers: effectiveMaxTransfers(policy, license),
    transfersUsed: license.transfersUsed,
    nextCheckAt:
      nextCheckDate({ ...policy, verification: contents.verification }, now)?.toISOString() ?? null,
    issuedAt: now.toISOString(),
    nonce,
  };
  return ctx.answers.sign(DOCUMENT_TYPES.licenseGrant, grant);
}

/**
 * Binds (or confirms) a serial for a request whose container signature was proven where needed:
 * the Activation Server table, then the grant. Online activation, CheckLicense and the Unlock Key
 * share it.
 */
export async function grantLicense(
  ctx: ServerContext,
  request: LicenseRequest,
  proven: () => Result<unknown>,
  requestMaxAgeMs?: number,
): Promise<Result<SignedEnvelope>> {
  const now = ctx.now();
  const record = await knownSerial(ctx, request, now, requestMaxAgeMs);
  if (!record.ok) return record;
  const refusal = licenseRefusal(record.value.license, now);
  if (refusal !== undefined) return checkFailed(ctx, record.value, proven().ok, refusal, now);
  // Raising the vendor's record of consumption or of the step reached is a change: only the
  // container itself may ask it.
  const reportsMore = consumptionGrows(record.value.license.consumed, request.consumed);
  const reportsStep = request.sequence > record.value.reportedSequence;
  if (reportsMore || reportsStep || checkNeedsProof(record.value.binding, request)) {
    const proof = proven();
    if (!proof.ok) return proof;
  }
  const binding = await bindOrRefresh(ctx, record.value, request, now.toISOString());
  if (!binding.ok) return checkFailed(ctx, record.value, true, binding.error, now);
  const consumed = await ctx.bindings.recordConsumption(record.value.license, request.consumed);
  if (reportsStep) await ctx.updates.recordReportedStep(record.value.license.id, request.sequence);
  return ok(await grantFor(ctx, record.value, binding.value, consumed, request.nonce, now));
}

/**
 * Activation and CheckLicense on the activation server: a serial not in use is bound to this
 * computer, a serial bound to this computer succeeds, a serial bound to another fails. Every
 * answer to a request its container signed, refusals included, is signed over the asker's nonce.
 */
export async function presentSerial(
  ctx: ServerContext,
  message: ContainerMessage,
): Promise<MachineResult<SignedEnvelope>> {
  const read = readContainerMessage(message, DOCUMENTS.licenseRequest);
  if (!read.ok) return unsigned(read.error);
  const request = read.value.document;
  if (request.tamperDetected === true && read.value.prove().ok) await auditTamperReport(ctx, request);
  const granted = await grantLicense(ctx, request, () => read.value.prove());
  if (granted.ok) return granted;
  return read.value.prove().ok ? signedRefusal(ctx, request, granted.error) : unsigned(granted.error);
}

/**
 * A container that blocked its license (its terms edited, an older copy restored) says so when it
 * asks to be activated again: the vendor sees where tampering was tried, whatever the answer.
 */
function auditTamperReport(ctx: ServerContext, request: LicenseRequest): Promise<void> {
  return recordMachineEvent(ctx, {
    action: 'tamper.reported',
    serial: request.serial,
    outcome: 'ok',
    detail: { containerKey: request.containerKey, fingerprintHash: request.fingerprintHash },
  });
}

/**
 * Deactivation for a transfer, signed by the container that holds the serial: the serial is
 * released and the transfer counted against the policy's limit, all at once or not at all. A
 * container that already released this binding gets the same receipt again.
 */
export async function releaseSerial(
  ctx: ServerContext,
  message: ContainerMessage,
): Promise<MachineResult<{ readonly receipt: SignedEnvelope; readonly serial: string }>> {
  const read = readContainerMessage(message, DOCUMENTS.deactivationRequest);
  if (!read.ok) return unsigned(read.error);
  const opened = read.value.prove();
  if (!opened.ok) return unsigned(opened.error);
  const request = opened.value;
  const refused = (error: KeywardError) => signedRefusal(ctx, request, error);
  const now = ctx.now();
  const record = await knownSerial(ctx, request, now);
  if (!record.ok) return refused(record.error);
  const usable = licenseRefusal(record.value.license, now);
  if (usable !== undefined) return refused(usable);
  await ctx.bindings.recordConsumption(record.value.license, request.consumed);
  const released = await ctx.bindings.release({
    licenseId: record.value.license.id,
    bindingId: request.bindingId,
    containerKey: request.containerKey,
    nonce: request.nonce,
    maxTransfers: record.value.policy.maxTransfers,
    at: now.toISOString(),
  });
  if (!released.ok) return refused(released.error);
  const receipt: DeactivationReceipt = {
    serial: record.value.license.serial,
    bindingId: request.bindingId,
    transfersUsed: released.value,
    maxTransfers: effectiveMaxTransfers(record.value.policy, record.value.license),
    deactivatedAt: now.toISOString(),
    nonce: request.nonce,
  };
  const signed = await ctx.answers.sign(DOCUMENT_TYPES.deactivationReceipt, receipt);
  return ok({ receipt: signed, serial: receipt.serial });
}
