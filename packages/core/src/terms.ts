import type { KeyObject } from 'node:crypto';
import { type ContainerContents, contentsHash } from './contents.js';
import {
  openSignedDocument,
  type SignatureCheck,
  type SignedEnvelope,
  signatureCheckOf,
} from './crypto/signed-envelope.js';
import { DOCUMENTS, type LicenseGrant, openDocument, type Verified } from './documents.js';
import { type KeywardError, keywardError, refuse } from './errors.js';
import { sameComputerParts } from './fingerprint.js';
import { err, ok, type Result } from './result.js';
import { isUnlockKeyGrant, readUnlockKey, type UnlockKeyGrant } from './unlock-codes.js';
import { readActivationCode } from './update-codes.js';
import { packageRefusal } from './update-decision.js';
import { readUpdatePackage, UPDATE_DOCUMENT_TYPES } from './update-documents.js';
import { applyOperations, type UpdateOperation } from './update-operations.js';

/**
 * A vendor-signed update a container applied after its grant: a package (by file or online), or
 * an activation code read over the phone. Kept as received, so its signature is checked again at
 * every start.
 */
export type HeldUpdate =
  | { readonly kind: 'package'; readonly envelope: SignedEnvelope }
  | { readonly kind: 'code'; readonly code: string };

/** A grant as received: the signed document (online, or the Unlock Key file), or the Unlock Key code. */
export type HeldGrant = SignedEnvelope | UnlockKeyGrant;

/** The vendor's documents a container holds: the grant, and the updates applied on top of it. */
export interface HeldDocuments {
  readonly grant: HeldGrant;
  readonly updates: readonly HeldUpdate[];
}

/** Who must be holding the documents: this product, this container, this computer. */
export interface TermsHolder {
  readonly product: string;
  readonly containerKey: string;
  readonly containerBoxKey: string;
  readonly fingerprintHash: string;
  readonly fingerprintParts: Readonly<Record<string, string>>;
}

/**
 * Every term the application acts on, each traced to a vendor signature: the grant's, and then
 * the updates' applied in order. Only `verifyTerms` makes one.
 */
export interface LicenseTerms {
  readonly grant: Verified<LicenseGrant>;
  readonly sequence: number;
  readonly contents: ContainerContents;
  /** Ids of the updates applied since the grant, to recognise one applied again. */
  readonly appliedIds: readonly string[];
}

/** An update once its signature is verified: what it changes, and from which step. */
export interface VerifiedUpdate {
  readonly id: string;
  readonly serial: string;
  readonly containerKey: string;
  readonly fromSequence: number;
  readonly toSequence: number;
  readonly operations: readonly UpdateOperation[];
  /** The contents the vendor expects once applied; codes are too short to carry them. */
  readonly result: { readonly contents: ContainerContents; readonly hash: string } | undefined;
}

export interface VendorKeys {
  readonly byKid: (kid: string) => KeyObject | undefined;
  readonly all: readonly KeyObject[];
}

const tamper = (why: string) =>
  keywardError(
    'TAMPER_DETECTED',
    `The license terms in this container are not the vendor's (${why}): activate online again.`,
  );

/** Names the first fact of a grant that does not belong to this holder, if any. */
export function grantHolderMismatch(grant: LicenseGrant, holder: TermsHolder): string | undefined {
  if (grant.product !== holder.product) return 'product';
  if (grant.containerKey !== holder.containerKey || grant.containerBoxKey !== holder.containerBoxKey)
    return 'container key';
  if (
    grant.fingerprintHash !== holder.fingerprintHash &&
    !sameComputerParts(grant.fingerprintParts, holder.fingerprintParts)
  ) {
    return 'computer';
  }
  return undefined;
}

/** Verifies one held update's signature and reads it against the terms it applies to. */
export function verifyUpdate(
  update: HeldUpdate,
  terms: Pick<LicenseTerms, 'grant' | 'contents'>,
  keys: VendorKeys,
): Result<VerifiedUpdate> {
  const target = { serial: terms.grant.serial, containerKey: terms.grant.containerKey };
  if (update.kind === 'code') {
    const read = readActivationCode(update.code, terms.contents, target, keys.all);
    if (!read.ok) return read;
    return ok({
      id: read.value.codeId,
      ...target,
      fromSequence: read.value.fromSequence,
      toSequence: read.value.fromSequence + 1,
      operations: read.value.operations,
      result: undefined,
    });
  }
  const opened = openSignedDocument(update.envelope, UPDATE_DOCUMENT_TYPES.updatePackage, keys.byKid);
  if (!opened.ok) {
    return opened.error.code === 'UNKNOWN_KEY_ID'
      ? refuse('SIGNATURE_INVALID', "The update is not signed by this product's vendor.")
      : opened;
  }
  const pkg = readUpdatePackage(opened.value);
  if (!pkg.ok) return pkg;
  const { packageId, serial, containerKey, fromSequence, toSequence, operations, contents, resultHash } =
    pkg.value;
  if (contentsHash(contents) !== resultHash)
    return refuse('SIGNATURE_INVALID', 'The update package is inconsistent.');
  return ok({
    id: packageId,
    serial,
    containerKey,
    fromSequence,
    toSequence,
    operations,
    result: { contents, hash: resultHash },
  });
}

/**
 * Applies a verified update to terms: it must be for this container, start at its step and, for
 * packages, give the contents the vendor expects. All or nothing.
 */
export function applyUpdate(terms: LicenseTerms, update: VerifiedUpdate): Result<LicenseTerms> {
  const refusal = packageRefusal(
    {
      serial: terms.grant.serial,
      containerKey: terms.grant.containerKey,
      sequence: terms.sequence,
      appliedPackages: terms.appliedIds,
    },
    { ...update, packageId: update.id },
  );
  if (refusal !== undefined) return err(refusal);
  const contents = applyOperations(terms.contents, update.operations);
  if (!contents.ok) return contents;
  if (update.result !== undefined && contentsHash(contents.value) !== update.result.hash) {
    return refuse(
      'FROM_MISMATCH',
      'Applied to this key, the update does not give the contents the vendor expects.',
    );
  }
  return ok({
    grant: terms.grant,
    sequence: update.toSequence,
    contents: contents.value,
    appliedIds: [...terms.appliedIds, update.id],
  });
}

export function termsOfGrant(grant: Verified<LicenseGrant>): LicenseTerms {
  return { grant, sequence: grant.sequence, contents: grant.contents, appliedIds: [] };
}

/**
 * Terms from a held package that carries its resulting contents: it stands for every step before
 * it, so a container keeps only its newest package (and the codes applied after it).
 */
function supersede(terms: LicenseTerms, update: VerifiedUpdate): Result<LicenseTerms> {
  if (update.result === undefined) return applyUpdate(terms, update);
  if (update.serial !== terms.grant.serial || update.containerKey !== terms.grant.containerKey)
    return refuse('WRONG_KEY');
  if (update.toSequence <= terms.sequence) return refuse('PACKAGE_OUTDATED');
  return ok({
    grant: terms.grant,
    sequence: update.toSequence,
    contents: update.result.contents,
    appliedIds: [...terms.appliedIds, update.id],
  });
}

/** What a container keeps once `update` is applied: a package with its contents replaces those before it. */
export function heldAfter(held: readonly HeldUpdate[], update: HeldUpdate): HeldUpdate[] {
  return update.kind === 'package' ? [update] : [...held, update];
}

/**
 * The signature checks of held documents that are all signed envelopes (the grant and update
 * packages), so that documents already read can be verified again without being read again;
 * undefined when one is a code, or names a key the application does not ship, or is malformed.
 */
export function heldSignatureChecks(held: HeldDocuments, keys: VendorKeys): SignatureCheck[] | undefined {
  const envelopes: SignedEnvelope[] = [];
  if (isUnlockKeyGrant(held.grant)) return undefined;
  envelopes.push(held.grant);
  for (const update of held.updates) {
    if (update.kind !== 'package') return undefined;
    envelopes.push(update.envelope);
  }
  const checks: SignatureCheck[] = [];
  for (const envelope of envelopes) {
    const key = keys.byKid(envelope.kid);
    const check = key === undefined ? undefined : signatureCheckOf(envelope, key);
    if (check === undefined) return undefined;
    checks.push(check);
  }
  return checks;
}

/**
 * The terms a container holds, verified at every start: the grant's signature and holder, then
 * each update's signature and order. Anything that does not verify is tamper: the file was edited.
 */
export function verifyTerms(
  held: HeldDocuments,
  holder: TermsHolder,
  keys: VendorKeys,
): Result<LicenseTerms, KeywardError> {
  if (isUnlockKeyGrant(held.grant)) return verifyUnlockKeyTerms(held.grant, held.updates, holder, keys);
  const grant = openDocument(held.grant, DOCUMENTS.licenseGrant, keys.byKid);
  if (!grant.ok) {
    return grant.error.code === 'UNKNOWN_KEY_ID' ? grant : err(tamper('the grant does not verify'));
  }
  const mismatch = grantHolderMismatch(grant.value, holder);
  if (mismatch !== undefined) {
    return mismatch === 'computer'
      ? refuse('WRONG_COMPUTER')
      : err(tamper(`the grant is for another ${mismatch}`));
  }
  return withUpdates(termsOfGrant(grant.value), held.updates, keys);
}

function verifyUnlockKeyTerms(
  grant: UnlockKeyGrant,
  updates: readonly HeldUpdate[],
  holder: TermsHolder,
  keys: VendorKeys,
): Result<LicenseTerms, KeywardError> {
  const read = readUnlockKey(grant, { ...holder, serial: grant.serial }, keys.all);
  if (!read.ok) {
    return read.error.code === 'WRONG_COMPUTER' ? read : err(tamper('the Unlock Key does not verify'));
  }
  return withUpdates(termsOfGrant(read.value), updates, keys);
}

function withUpdates(
  granted: LicenseTerms,
  updates: readonly HeldUpdate[],
  keys: VendorKeys,
): Result<LicenseTerms, KeywardError> {
  let terms = granted;
  for (const update of updates) {
    const verified = verifyUpdate(update, terms, keys);
    const applied = verified.ok ? supersede(terms, verified.value) : verified;
    if (!applied.ok) return err(tamper('an update does not verify'));
    terms = applied.value;
  }
  return ok(terms);
}

/** Uses left of a counter: the vendor's allowance less what was consumed, never below zero. */
export function counterRemaining(allowance: number, consumed: number): number {
  return Math.max(0, allowance - consumed);
}

/** Whether a report raises any counter above the record: only then is there anything to write. */
export function consumptionGrows(
  recorded: Readonly<Record<string, number>>,
  reported: Readonly<Record<string, number>>,
): boolean {
  return Object.entries(reported).some(([name, used]) => used > (recorded[name] ?? 0));
}

/** Consumption only grows: the larger of two records, counter by counter. */
export function mergeConsumption(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): Record<string, number> {
  const merged: Record<string, number> = { ...a };
  for (const [name, used] of Object.entries(b)) merged[name] = Math.max(merged[name] ?? 0, used);
  return merged;
}
