import {
  type CONTAINER_FORMAT,
  type ContainerState,
  decodeArmor,
  deriveKey,
  documentReader,
  encodeArmor,
  fromBase64Url,
  generateKeyMaterial,
  type HeldGrant,
  type HeldUpdate,
  keyIdOf,
  lockSecret,
  ok,
  openSignedDocument,
  parseSignedEnvelope,
  privateKeyFromSeed,
  publicKeyFromRaw,
  type ReceivedErrorCode,
  type Result,
  refuse,
  type SignedEnvelope,
  type Signer,
  signDocument,
  type UnsealKey,
  unlockSecret,
  vouchedArmorBody,
} from '@keyward/core/license-container';

export const CONTAINER_LABEL = 'LICENSE CONTAINER';
const CONTAINER_DOCUMENT = 'container';

/**
 * The license container as stored on this computer (format 2, see docs/container-format.md).
 * Terms come only from the vendor's documents (`grant`, `updates`), verified at every start; the
 * container's own signature covers its local state.
 */
export interface ContainerRecord {
  readonly format: typeof CONTAINER_FORMAT;
  readonly containerId: string;
  readonly product: string;
  readonly containerKey: string;
  readonly containerBoxKey: string;
  /** The container's private keys, locked with a key derived from this computer's fingerprint. */
  readonly lockedKeys: string;
  /** Vendor-signed: the license grant from the last activation, check or Unlock Key (file or code). */
  readonly grant: HeldGrant | null;
  /** Vendor-signed: the updates applied on top of the grant, in order. */
  readonly updates: readonly HeldUpdate[];
  /** Local state. Raised by every write; the anti-rollback anchor remembers it. */
  readonly revision: number;
  readonly state: ContainerState;
  /** The serial being activated (online, or by an activation request awaiting its Unlock Key). */
  readonly serial: string | null;
  readonly evaluationStartedAt: string;
  /** The clock's high-water mark: the latest time this container has seen. */
  readonly lastSeenAt: string;
  /** Uses of each counter consumed on this computer, and carried in by the vendor's grant. */
  readonly consumed: Readonly<Record<string, number>>;
  /** The offline activation request awaiting its Unlock Key. */
  readonly pendingActivation: { readonly nonce: string; readonly requestedAt: string } | null;
  /** Why the last signed refusal refused, kept to show the user. */
  readonly lastRefusal: { readonly code: ReceivedErrorCode; readonly message: string } | null;
}

export interface ContainerKeys {
  readonly signer: Signer;
  readonly box: UnsealKey & { readonly kid: string };
}

const keysLock = (fingerprint: string, containerId: string) =>
  deriveKey(Buffer.from(fingerprint, 'utf8'), containerId, 'container-keys');

/** New Ed25519 + X25519 keys for a container, locked to this computer. */
export function newContainerKeys(fingerprint: string, containerId: string) {
  const signing = generateKeyMaterial('ed25519');
  const box = generateKeyMaterial('x25519');
  const seeds = Buffer.concat([
    fromBase64Url(signing.seed) ?? Buffer.alloc(0),
    fromBase64Url(box.seed) ?? Buffer.alloc(0),
  ]);
  return {
    containerKey: signing.publicKey,
    containerBoxKey: box.publicKey,
    lockedKeys: lockSecret(seeds, keysLock(fingerprint, containerId), containerId),
  };
}

/**
 * The container's keys. The seeds are unlocked now (that is what tells a file copied from another
 * computer); the key objects, slow to import, only when first used: most starts sign nothing.
 */
export function unlockContainerKeys(record: ContainerRecord, fingerprint: string): Result<ContainerKeys> {
  const seeds = unlockSecret(
    record.lockedKeys,
    keysLock(fingerprint, record.containerId),
    record.containerId,
  );
  if (!seeds.ok || seeds.value.length !== 64) return refuse('WRONG_COMPUTER');
  return ok(keysFromSeeds(record, seeds.value));
}

/** Keys of a container the anchor vouches for: written on this computer, so they unlock when needed. */
export function vouchedContainerKeys(record: ContainerRecord, fingerprint: string): ContainerKeys {
  let keys: ContainerKeys | undefined;
  const unlocked = () => {
    if (keys !== undefined) return keys;
    const result = unlockContainerKeys(record, fingerprint);
    if (!result.ok) throw new Error('A container vouched for by its anchor must unlock on this computer');
    keys = result.value;
    return keys;
  };
  return {
    get signer() {
      return unlocked().signer;
    },
    get box() {
      return unlocked().box;
    },
  };
}

function keysFromSeeds(record: ContainerRecord, seeds: Buffer): ContainerKeys {
  let signer: Signer | undefined;
  let box: ContainerKeys['box'] | undefined;
  return {
    get signer() {
      signer ??= {
        kid: keyIdOf('ed25519', record.containerKey),
        privateKey: privateKeyFromSeed('ed25519', seeds.subarray(0, 32), record.containerKey),
      };
      return signer;
    },
    get box() {
      box ??= {
        kid: keyIdOf('x25519', record.containerBoxKey),
        publicKey: record.containerBoxKey,
        privateKey: privateKeyFromSeed('x25519', seeds.subarray(32), record.containerBoxKey),
      };
      return box;
    },
  };
}

export function encodeContainerFile(record: ContainerRecord, keys: ContainerKeys): string {
  const envelope = signDocument(CONTAINER_DOCUMENT, record, keys.signer);
  return encodeArmor({
    label: CONTAINER_LABEL,
    headers: { Product: record.product, Container: record.containerId, Revision: String(record.revision) },
    body: Buffer.from(JSON.stringify(envelope), 'utf8'),
  });
}

const containerReader = documentReader<ContainerRecord>('containerRecord', 'license container');

function readRecord(value: unknown): ContainerRecord | undefined {
  const read = containerReader.read(value);
  return read.ok ? read.value : undefined;
}

/**
 * Reads a container file, checking its integrity (FILE_CORRUPTED) but not yet its signature.
 * A file `vouched` for by the anchor (its exact hash) skips the integrity checks.
 */
export function readContainerFile(
  text: string,
  vouched = false,
): Result<{ record: ContainerRecord; envelope: SignedEnvelope }> {
  let body: Uint8Array;
  if (vouched) {
    body = vouchedArmorBody(text);
  } else {
    const armored = decodeArmor(text, CONTAINER_LABEL);
    if (!armored.ok) return armored;
    body = armored.value.body;
  }
  let envelope: Result<SignedEnvelope>;
  let record: ContainerRecord | undefined;
  try {
    envelope = parseSignedEnvelope(JSON.parse(Buffer.from(body).toString('utf8')));
    record = envelope.ok
      ? readRecord(JSON.parse(Buffer.from(envelope.value.payload, 'base64url').toString('utf8')))
      : undefined;
  } catch {
    return refuse('FILE_CORRUPTED');
  }
  if (!envelope.ok) return envelope;
  if (record === undefined)
    return refuse('FILE_CORRUPTED', 'The license container file is not in the expected form.');
  return ok({ record, envelope: envelope.value });
}

/**
 * Reads a container file the anchor does not vouch for: integrity first (FILE_CORRUPTED), then
 * the signature by the container key it names (SIGNATURE_INVALID).
 */
export function decodeContainerFile(text: string): Result<ContainerRecord> {
  const read = readContainerFile(text);
  if (!read.ok) return read;
  const { record, envelope } = read.value;
  const key = publicKeyFromRaw('ed25519', record.containerKey);
  const kid = keyIdOf('ed25519', record.containerKey);
  const verified = openSignedDocument(envelope, CONTAINER_DOCUMENT, (candidate) =>
    candidate === kid ? key : undefined,
  );
  if (!verified.ok)
    return refuse('SIGNATURE_INVALID', 'The license container file is not signed by its own key.');
  return ok(record);
}
