import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import { nextCheckDate } from './binding.js';
import { type CompactTerms, decodeCompactTerms, encodeCompactTerms } from './compact-terms.js';
import { toBase64Url, utf8 } from './crypto/encoding.js';
import type { Signer } from './crypto/signed-envelope.js';
import { DOCUMENTS, type LicenseGrant, type Verified } from './documents.js';
import { refuse } from './errors.js';
import { sameComputerParts } from './fingerprint.js';
import {
  INSTALLATION_BYTES,
  type InstallationFacts,
  installationId,
  PART_PREFIX_BYTES,
  PROVISIONAL_PREFIX,
  partPrefixes,
} from './provisional-binding.js';
import { ok, type Result } from './result.js';
import { decodeShortCode, encodeShortCode } from './short-code.js';

/**
 * E-mail or fax activation by phone (003): the activation request and the Unlock Key as short
 * codes a person reads out, beside the files.
 *
 * The request code names the container by its installation id (a hash of the serial and the
 * container's keys, which are too long to read out) and the computer by a short prefix of each
 * fingerprint part. The vendor binds the serial provisionally to them; the container's first
 * online request proves its keys and the binding takes them (see `provisional-binding.ts`).
 *
 * The Unlock Key code is the vendor's Ed25519 signature over the product, the serial, the request
 * code and the license's terms in compact form (`compact-terms.ts`), with those terms. The
 * container keeps both codes as its grant and rebuilds the grant from them at every start.
 */
const REQUEST_KIND = 0x41;
const UNLOCK_KIND = 0x42;
const SIGNATURE_BYTES = 64;
const SERIAL_TAG_BYTES = 2;
/** The parts a request code can carry, by bit: the computed ones, then a fingerprint given whole. */
const CODE_PARTS = ['machine', 'cpu', 'memory', 'network', 'host', 'id'] as const;

function serialTag(serial: string): string {
  return createHash('sha256')
    .update(`keyward/v1/serial-tag\n${serial}`)
    .digest('hex')
    .slice(0, SERIAL_TAG_BYTES * 2);
}

/** What a request code says: the container (installation id) and the computer (part prefixes). */
export interface UnlockRequest {
  readonly installationId: string;
  readonly partPrefixes: Readonly<Record<string, string>>;
  /** The code's bytes without padding: what the Unlock Key's signature covers. */
  readonly bytes: Buffer;
}

export function encodeUnlockRequest(
  facts: InstallationFacts & { readonly fingerprintParts: Readonly<Record<string, string>> },
): Result<string> {
  const names = Object.keys(facts.fingerprintParts);
  const unknown = names.find((name) => !(CODE_PARTS as readonly string[]).includes(name));
  if (unknown !== undefined) {
    return refuse(
      'UNLOCK_NEEDS_FILE',
      `This computer's fingerprint has a part ("${unknown}") a code cannot carry: send the activation request file instead.`,
    );
  }
  let mask = 0;
  const prefixes: Buffer[] = [];
  CODE_PARTS.forEach((name, bit) => {
    const hash = facts.fingerprintParts[name];
    if (hash === undefined) return;
    mask |= 1 << bit;
    prefixes.push(Buffer.from(hash.slice(0, PART_PREFIX_BYTES * 2), 'hex'));
  });
  const bytes = Buffer.concat([
    Buffer.from([REQUEST_KIND]),
    Buffer.from(serialTag(facts.serial), 'hex'),
    Buffer.from(installationId(facts), 'hex'),
    Buffer.from([mask]),
    ...prefixes,
  ]);
  return ok(encodeShortCode(bytes));
}

const wrongKind = (kind: number) =>
  kind === UNLOCK_KIND
    ? refuse('CODE_MISTYPED', 'This is an Unlock Key code (what the vendor sends back), not a request code.')
    : kind === REQUEST_KIND
      ? refuse(
          'CODE_MISTYPED',
          'This is an activation request code (what the computer tells the vendor), not an Unlock Key.',
        )
      : refuse('CODE_MISTYPED', 'This is not a Keyward activation code.');

/** Reads a request code for `serial`: the serial tag catches a request read out for another serial. */
export function readUnlockRequest(code: string, serial: string): Result<UnlockRequest> {
  const decoded = decodeShortCode(code);
  if (!decoded.ok) return decoded;
  const bytes = decoded.value;
  if (bytes[0] !== REQUEST_KIND) return wrongKind(bytes[0] ?? 0);
  const maskAt = 1 + SERIAL_TAG_BYTES + INSTALLATION_BYTES;
  const mask = bytes[maskAt] ?? 0;
  const present = CODE_PARTS.filter((_, bit) => mask & (1 << bit));
  const length = maskAt + 1 + present.length * PART_PREFIX_BYTES;
  if (
    mask === 0 ||
    mask >= 1 << CODE_PARTS.length ||
    bytes.length < length ||
    bytes.subarray(length).some((byte) => byte !== 0)
  ) {
    return refuse('CODE_MISTYPED', 'This activation request code is incomplete: read it out again.');
  }
  if (bytes.subarray(1, 1 + SERIAL_TAG_BYTES).toString('hex') !== serialTag(serial)) {
    return refuse(
      'SERIAL_INVALID',
      `This activation request code was made for another serial than ${serial}: check the serial.`,
    );
  }
  const partPrefixes: Record<string, string> = {};
  present.forEach((name, index) => {
    const at = maskAt + 1 + index * PART_PREFIX_BYTES;
    partPrefixes[name] = bytes.subarray(at, at + PART_PREFIX_BYTES).toString('hex');
  });
  return ok({
    installationId: bytes.subarray(1 + SERIAL_TAG_BYTES, maskAt).toString('hex'),
    partPrefixes,
    bytes: Buffer.from(bytes.subarray(0, length)),
  });
}

function unlockSigningInput(product: string, serial: string, request: UnlockRequest, terms: Uint8Array) {
  return Buffer.concat([
    utf8(`keyward/v1/unlock-code\n${product}\n${serial}\n${request.bytes.toString('hex')}\n`),
    terms,
  ]);
}

/** The vendor's half: the Unlock Key code answering `request`; UNLOCK_NEEDS_FILE when the terms do not fit. */
export function encodeUnlockKey(
  product: string,
  serial: string,
  request: UnlockRequest,
  terms: CompactTerms,
  signer: Signer,
): Result<string> {
  const body = encodeCompactTerms(terms);
  if (!body.ok) return body;
  const signature = sign(null, unlockSigningInput(product, serial, request, body.value), signer.privateKey);
  return ok(encodeShortCode(Buffer.concat([Buffer.from([UNLOCK_KIND]), body.value, signature])));
}

/** A grant entered as codes: what the container keeps in place of a signed grant document. */
export interface UnlockKeyGrant {
  readonly kind: 'unlock-code';
  readonly serial: string;
  readonly request: string;
  readonly unlockKey: string;
}

export function isUnlockKeyGrant(grant: object): grant is UnlockKeyGrant {
  return (grant as { kind?: unknown }).kind === 'unlock-code';
}

/** The container and computer an Unlock Key code must have been made for. */
export interface UnlockHolder extends InstallationFacts {
  readonly fingerprintHash: string;
  readonly fingerprintParts: Readonly<Record<string, string>>;
}

/**
 * The grant an Unlock Key code stands for, verified: the vendor's signature over the request and
 * the terms, the request made by this container (installation id) on this computer (part
 * prefixes, one part may differ as with any grant). The grant binds the container as it is now.
 */
export function readUnlockKey(
  held: UnlockKeyGrant,
  holder: UnlockHolder,
  vendorKeys: readonly KeyObject[],
): Result<Verified<LicenseGrant>> {
  const request = readUnlockRequest(held.request, held.serial);
  if (!request.ok) return request;
  const decoded = decodeShortCode(held.unlockKey);
  if (!decoded.ok) return decoded;
  const bytes = decoded.value;
  if (bytes[0] !== UNLOCK_KIND) return wrongKind(bytes[0] ?? 0);
  // The terms' length is not written: the signature ends the code, before at most two bytes of padding.
  const signed = [0, 1, 2]
    .map((padding) => bytes.length - padding)
    .filter((end) => end >= 1 + SIGNATURE_BYTES && bytes.subarray(end).every((byte) => byte === 0))
    .find((end) =>
      vendorKeys.some((key) =>
        verify(
          null,
          unlockSigningInput(
            holder.product,
            held.serial,
            request.value,
            bytes.subarray(1, end - SIGNATURE_BYTES),
          ),
          key,
          bytes.subarray(end - SIGNATURE_BYTES, end),
        ),
      ),
    );
  if (signed === undefined) {
    return refuse(
      'SIGNATURE_INVALID',
      "This Unlock Key was not made by this product's vendor for this serial and request: check the code.",
    );
  }
  if (request.value.installationId !== installationId({ ...holder, serial: held.serial })) {
    return refuse(
      'ANSWER_MISMATCH',
      'This Unlock Key answers an activation request made by another container.',
    );
  }
  if (!sameComputerParts(request.value.partPrefixes, partPrefixes(holder.fingerprintParts))) {
    return refuse('WRONG_COMPUTER');
  }
  const terms = decodeCompactTerms(bytes.subarray(1, signed - SIGNATURE_BYTES));
  if (terms === undefined) return refuse('SIGNATURE_INVALID', 'The Unlock Key is inconsistent.');
  const grant: LicenseGrant = {
    serial: held.serial,
    product: holder.product,
    bindingId: `${PROVISIONAL_PREFIX}${request.value.installationId}`,
    containerKey: holder.containerKey,
    containerBoxKey: holder.containerBoxKey,
    fingerprintHash: holder.fingerprintHash,
    fingerprintParts: holder.fingerprintParts,
    sequence: terms.sequence,
    contents: terms.contents,
    consumed: terms.consumed,
    checkIntervalDays: terms.checkIntervalDays,
    graceDays: terms.graceDays,
    maxTransfers: terms.maxTransfers,
    transfersUsed: terms.transfersUsed,
    nextCheckAt:
      nextCheckDate(
        { verification: terms.contents.verification, checkIntervalDays: terms.checkIntervalDays },
        new Date(terms.issuedAt),
      )?.toISOString() ?? null,
    issuedAt: terms.issuedAt,
    nonce: toBase64Url(request.value.bytes.subarray(1, 1 + SERIAL_TAG_BYTES + INSTALLATION_BYTES)),
  };
  const read = DOCUMENTS.licenseGrant.reader.read(grant);
  if (!read.ok) return refuse('SIGNATURE_INVALID', 'The Unlock Key is inconsistent.');
  // The vendor's signature was checked above, over every term this grant holds.
  return ok(read.value as Verified<LicenseGrant>);
}
