import {
  applyOperations,
  type Binding,
  codeKey,
  contentsDifferences,
  contentsHash,
  encodeActivationCode,
  encodeSealedFile,
  isProvisional,
  keyIdOf,
  newId,
  ok,
  openSealedFile,
  provisionalBindingIsOf,
  REQUEST_FILE_LABEL,
  type Result,
  readOperations,
  readRequestCode,
  readUpdateRequest,
  refuse,
  signDocument,
  UPDATE_DOCUMENT_TYPES,
  UPDATE_FILE_LABEL,
  UPDATE_REQUEST_KIND,
  type UpdatePackage,
  type UpdateRequest,
} from '@keyward/core';
import type { ServerContext } from '../context.js';
import type { SerialRecord } from '../storage/binding-store.js';
import type { IssueClaim, UpdateSummary } from '../storage/update-store.js';
import { readContainerMessage } from './container-message.js';
import { findLicenseByRef } from './license-ref.js';

export interface IssuedFile {
  readonly update: UpdateSummary;
  /** The Key Upgrade file: armored, for e-mail or download. */
  readonly file: string;
  /** The activation code, when the update was asked for by code. */
  readonly code: string | undefined;
}

export interface UpdateOrder {
  readonly operations: unknown;
  readonly orderRef?: string;
  readonly transport: 'file' | 'code' | 'online';
  /** Taken in the transaction that records the update (an order marked processed): refused, nothing is issued. */
  readonly claim?: IssueClaim;
}

/** Opens a request file: integrity, then decryption with the vendor's key, then the container's signature. */
export function openRequestFile(ctx: ServerContext, text: string): Result<UpdateRequest> {
  const opened = openSealedFile(text, REQUEST_FILE_LABEL, (kid) => ctx.keyring.unsealKeyFor(kid));
  if (!opened.ok) return opened;
  const signed = (opened.value ?? {}) as { payload?: unknown };
  const claimed = readUpdateRequest(safeParse(signed.payload));
  if (!claimed.ok) return claimed;
  const message = readContainerMessage(
    { containerKey: claimed.value.containerKey, request: signed },
    UPDATE_REQUEST_KIND,
  );
  return message.ok ? message.value.prove() : message;
}

function safeParse(payload: unknown): unknown {
  if (typeof payload !== 'string') return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The serial the request names, bound to the container that signed it: refused before anything else is looked at. */
export async function requestingLicense(
  ctx: ServerContext,
  request: UpdateRequest,
): Promise<Result<SerialRecord>> {
  const record = await ctx.bindings.findSerial(request.serial);
  if (record === undefined || record.productCode !== request.product) return refuse('SERIAL_UNKNOWN');
  const binding = record.binding;
  // Activated by phone and not online since: the request's proven keys show it is the container bound.
  if (binding !== undefined && isProvisional(binding) && provisionalBindingIsOf(binding, request)) {
    const { containerKey, containerBoxKey } = request;
    return ok({ ...record, binding: { ...binding, containerKey, containerBoxKey } });
  }
  if (binding?.containerKey !== request.containerKey) {
    return refuse(
      'NOT_BOUND_HERE',
      'This request comes from a license container the serial is not activated on.',
    );
  }
  return ok(record);
}

/** The binding an update is made for, when the vendor knows its container's keys. */
function updatableBinding(record: SerialRecord): Result<Binding> {
  const binding = record.binding;
  if (binding === undefined)
    return refuse(
      'NOT_ACTIVATED',
      'This license is not activated on any computer: there is no key to update.',
    );
  if (isProvisional(binding)) {
    return refuse(
      'UPDATE_NEEDS_FILE',
      "This license was activated by phone and its computer has not been online since, so its container's keys are not known yet: issue the update from the customer's request file (keyward key request --out FILE), or after the computer's next online check.",
    );
  }
  return ok(binding);
}

/**
 * The From check: the request must state the contents the vendor's record has at the step the
 * request names. Counter values are not compared: the application consumes them.
 */
async function fromCheck(
  ctx: ServerContext,
  record: SerialRecord,
  request: UpdateRequest,
  latestOnly: boolean,
) {
  if (request.sequence > record.sequence || (latestOnly && request.sequence !== record.sequence)) {
    const pending =
      record.sequence > request.sequence
        ? ': apply the updates issued since first (the vendor can send them as files)'
        : '';
    return refuse(
      'FROM_MISMATCH',
      `The key is at update step ${request.sequence}; the vendor's record is at step ${record.sequence}${pending}.`,
      {
        keySequence: request.sequence,
        recordSequence: record.sequence,
      },
    );
  }
  const stated = contentsHash(request.contents);
  const expected =
    request.sequence === record.sequence
      ? contentsHash(record.contents)
      : await ctx.updates.hashAt(record.license.id, request.sequence);
  if (stated === expected) return undefined;
  const differences =
    request.sequence === record.sequence
      ? contentsDifferences(request.contents, record.contents)
      : ['contents'];
  return refuse(
    'FROM_MISMATCH',
    `The key's contents differ from the vendor's record: ${differences.join('; ')}.`,
    { differences },
  );
}

/** The Key Upgrade file: the package signed by the vendor, sealed to the container, armored. */
function updateFile(ctx: ServerContext, pkg: UpdatePackage, containerBoxKey: string): string {
  const signed = signDocument(UPDATE_DOCUMENT_TYPES.updatePackage, pkg, ctx.keyring.signer);
  const headers = { Serial: pkg.serial, From: String(pkg.fromSequence), To: String(pkg.toSequence) };
  return encodeSealedFile(UPDATE_FILE_LABEL, headers, signed, {
    kid: keyIdOf('x25519', containerBoxKey),
    publicKey: containerBoxKey,
  });
}

/** Builds, signs, seals and records one update package from the vendor's record of the license. */
async function issue(
  ctx: ServerContext,
  record: SerialRecord,
  order: UpdateOrder,
): Promise<Result<IssuedFile>> {
  if (record.license.archivedAt !== null) return refuse('LICENSE_ARCHIVED');
  const operations = readOperations(order.operations);
  if (!operations.ok) return operations;
  const updatable = updatableBinding(record);
  if (!updatable.ok) return updatable;
  const binding = updatable.value;
  const base = record.contents;
  const result = applyOperations(base, operations.value);
  if (!result.ok) return result;
  let code: string | undefined;
  if (order.transport === 'code') {
    const target = { serial: record.license.serial, containerKey: binding.containerKey };
    const encoded = encodeActivationCode(record.sequence, operations.value, base, target, ctx.keyring.signer);
    if (!encoded.ok) return encoded;
    code = encoded.value;
  }
  const now = ctx.now().toISOString();
  const pkg: UpdatePackage = {
    packageId: newId('upd'),
    serial: record.license.serial,
    product: record.productCode,
    containerKey: binding.containerKey,
    fromSequence: record.sequence,
    toSequence: record.sequence + 1,
    operations: operations.value,
    contents: result.value,
    resultHash: contentsHash(result.value),
    orderRef: order.orderRef ?? null,
    issuedAt: now,
  };
  const file = updateFile(ctx, pkg, binding.containerBoxKey);
  const update = {
    id: pkg.packageId,
    licenseId: record.license.id,
    fromSequence: pkg.fromSequence,
    toSequence: pkg.toSequence,
    operations: pkg.operations,
    resultHash: pkg.resultHash,
    packageFile: file,
    transport: order.transport,
    orderRef: pkg.orderRef,
    createdAt: now,
  };
  const recorded = await ctx.updates.issue(
    update,
    { contents: result.value, hash: pkg.resultHash },
    order.claim,
  );
  if (!recorded.ok) return recorded;
  if (!recorded.value)
    return refuse(
      'CONFLICT',
      'Another update of this license was issued at the same moment: make a new request.',
    );
  ctx.metrics.updates.inc({ transport: order.transport });
  const summary = {
    id: update.id,
    fromSequence: update.fromSequence,
    toSequence: update.toSequence,
    operations: update.operations,
    transport: update.transport,
    orderRef: update.orderRef,
    createdAt: update.createdAt,
  };
  return ok({ update: summary, file, code });
}

/**
 * The step the request proved the key is at, recorded as its receipt once the update is issued: a
 * refused request changes nothing.
 */
async function withReceipt(
  ctx: ServerContext,
  record: SerialRecord,
  sequence: number,
  issued: Result<IssuedFile>,
): Promise<Result<IssuedFile>> {
  if (issued.ok) await ctx.updates.recordReportedStep(record.license.id, sequence);
  return issued;
}

/** Key Information Data File in, Key Upgrade file out. */
export async function issueFromRequest(
  ctx: ServerContext,
  request: UpdateRequest,
  order: UpdateOrder,
): Promise<Result<IssuedFile>> {
  const record = await requestingLicense(ctx, request);
  if (!record.ok) return record;
  const mismatch = await fromCheck(ctx, record.value, request, true);
  if (mismatch !== undefined) return mismatch;
  return withReceipt(ctx, record.value, request.sequence, await issue(ctx, record.value, order));
}

/**
 * Transaction Key in, Activation Code out: the request code names the update step and a
 * fingerprint of the contents, authenticated with the code key of the container the serial is
 * activated on.
 */
export async function issueFromRequestCode(
  ctx: ServerContext,
  serialText: string,
  requestCode: string,
  order: Omit<UpdateOrder, 'transport'>,
): Promise<Result<IssuedFile>> {
  const license = await findLicenseByRef(ctx, serialText);
  if (!license.ok) return license;
  const record = await ctx.bindings.findSerial(license.value.serial);
  if (record === undefined) return refuse('LICENSE_NOT_FOUND');
  const binding = updatableBinding(record);
  if (!binding.ok) return binding;
  const key = codeKey(ctx.keyring.box.privateKey, binding.value.containerBoxKey, record.license.serial);
  if (key === undefined)
    return refuse('INTERNAL_ERROR', 'The container encryption key on record is not valid.');
  const read = readRequestCode(requestCode, key);
  if (!read.ok) return read;
  if (read.value.sequence !== record.sequence) {
    return refuse(
      'FROM_MISMATCH',
      `The key is at update step ${read.value.sequence}; the vendor's record is at step ${record.sequence}.`,
      {
        keySequence: read.value.sequence,
        recordSequence: record.sequence,
      },
    );
  }
  if (read.value.hashPrefix !== contentsHash(record.contents).slice(0, 8)) {
    return refuse(
      'FROM_MISMATCH',
      "The key's contents differ from the vendor's record (a code cannot tell how: send a request file).",
    );
  }
  const issued = await issue(ctx, record, { ...order, transport: 'code' });
  return withReceipt(ctx, record, read.value.sequence, issued);
}

/** An update the container will pull online (also returned as a file, to send if it never comes online). */
export async function issueForLicense(
  ctx: ServerContext,
  licenseRef: string,
  order: UpdateOrder,
): Promise<Result<IssuedFile>> {
  const license = await findLicenseByRef(ctx, licenseRef);
  if (!license.ok) return license;
  const record = await ctx.bindings.findSerial(license.value.serial);
  if (record === undefined) return refuse('LICENSE_NOT_FOUND');
  return issue(ctx, record, order);
}

/** Online update: the packages issued since the step the container is at, after its From check. */
export async function pendingPackages(
  ctx: ServerContext,
  message: { containerKey: string; request: unknown },
): Promise<Result<string[]>> {
  const read = readContainerMessage(message, UPDATE_REQUEST_KIND);
  if (!read.ok) return read;
  const request = read.value.prove();
  if (!request.ok) return request;
  const record = await requestingLicense(ctx, request.value);
  if (!record.ok) return record;
  const mismatch = await fromCheck(ctx, record.value, request.value, false);
  if (mismatch !== undefined) return mismatch;
  await ctx.updates.recordReportedStep(record.value.license.id, request.value.sequence);
  return ok(await ctx.updates.packagesAfter(record.value.license.id, request.value.sequence));
}
