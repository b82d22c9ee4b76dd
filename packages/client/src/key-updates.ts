import {
  APPLIED_PACKAGES_KEPT,
  applyOperations,
  codeKey,
  contentsHash,
  encodeRequestCode,
  encodeSealedFile,
  err,
  newNonce,
  ok,
  openSealedFile,
  openSignedDocument,
  packageRefusal,
  REQUEST_FILE_LABEL,
  type Result,
  readActivationCode,
  readUpdatePackage,
  refuse,
  signDocument,
  UPDATE_DOCUMENT_TYPES,
  UPDATE_FILE_LABEL,
  type UpdateOperation,
  type UpdatePackage,
  type UpdateRequest,
} from '@keyward/core';
import type { KeyStatus } from './key-status.js';
import type { LicenseSession, VerifiedContainer } from './license-session.js';

export interface AppliedUpdate {
  readonly packageId: string;
  readonly fromSequence: number;
  readonly toSequence: number;
  readonly operations: readonly UpdateOperation[];
  readonly status: KeyStatus;
}

/**
 * Remote update of the license container: the request the customer sends (Key Information Data
 * File), the package the vendor returns (Key Upgrade file), and the online pull of pending ones.
 */
export class KeyUpdates {
  constructor(private readonly session: LicenseSession) {}

  /** The request file, made offline: signed by this container, encrypted to the vendor. */
  async createRequest(): Promise<Result<string>> {
    const opened = await this.activated();
    if (!opened.ok) return opened;
    const { container } = opened.value;
    const vendorBox = this.vendorBoxKey();
    if (!vendorBox.ok) return vendorBox;
    const signed = signDocument(
      UPDATE_DOCUMENT_TYPES.updateRequest,
      this.requestOf(opened.value),
      container.keys.signer,
    );
    return ok(
      encodeSealedFile(
        REQUEST_FILE_LABEL,
        {
          Serial: container.record.serial ?? '',
          Product: this.session.config.product,
          Step: String(container.record.sequence),
        },
        signed,
        vendorBox.value,
      ),
    );
  }

  /**
   * Applies an update file: integrity, then decryption (it must be for this container), then the
   * vendor's signature, then the order of updates; all or nothing.
   */
  async apply(fileText: string): Promise<Result<AppliedUpdate>> {
    const opened = await this.activated();
    if (!opened.ok) return opened;
    const box = opened.value.container.keys.box;
    const signed = openSealedFile(fileText, UPDATE_FILE_LABEL, (kid) => (kid === box.kid ? box : undefined));
    if (!signed.ok) {
      return signed.error.code === 'WRONG_KEY'
        ? refuse('WRONG_KEY', 'This update is for another license container.')
        : signed;
    }
    return this.applySigned(opened.value, signed.value);
  }

  /** Online update: asks the license server for the packages pending for this container and applies them in order. */
  async pull(): Promise<Result<AppliedUpdate[]>> {
    const opened = await this.activated();
    if (!opened.ok) return opened;
    const { container } = opened.value;
    const request = signDocument(
      UPDATE_DOCUMENT_TYPES.updateRequest,
      this.requestOf(opened.value),
      container.keys.signer,
    );
    const answer = await this.session.api.post('/v1/machine/updates', {
      containerKey: container.record.containerKey,
      request,
    });
    if (!answer.ok) return answer;
    const packages = (answer.value as { packages?: unknown }).packages;
    if (!Array.isArray(packages) || !packages.every((text) => typeof text === 'string')) {
      return refuse('ANSWER_MISMATCH', 'The license server answered without a list of updates.');
    }
    const applied: AppliedUpdate[] = [];
    for (const text of packages) {
      const result = await this.apply(text);
      if (!result.ok) return result;
      applied.push(result.value);
    }
    return ok(applied);
  }

  private async applySigned(opened: VerifiedContainer, signed: unknown): Promise<Result<AppliedUpdate>> {
    const verified = openSignedDocument(signed, UPDATE_DOCUMENT_TYPES.updatePackage, this.session.vendorKey);
    if (!verified.ok) {
      return verified.error.code === 'UNKNOWN_KEY_ID'
        ? refuse('SIGNATURE_INVALID', "The update is not signed by this product's vendor.")
        : verified;
    }
    const pkg = readUpdatePackage(verified.value);
    if (!pkg.ok) return pkg;
    return this.applyChecked(opened, pkg.value);
  }

  /** The request code (Transaction Key) to read to the vendor over the phone. */
  async createRequestCode(): Promise<Result<string>> {
    const opened = await this.activated();
    if (!opened.ok) return opened;
    const { record } = opened.value.container;
    const key = this.codeKeyOf(opened.value);
    return key.ok ? ok(encodeRequestCode(record.sequence, record.contents, key.value)) : key;
  }

  /** Applies an activation code read over the phone: authenticated by the code key, applied like a package. */
  async applyCode(code: string): Promise<Result<AppliedUpdate>> {
    const opened = await this.activated();
    if (!opened.ok) return opened;
    const key = this.codeKeyOf(opened.value);
    if (!key.ok) return key;
    const { record } = opened.value.container;
    const read = readActivationCode(code, record.contents, key.value);
    if (!read.ok) return read;
    return this.applyChecked(opened.value, {
      packageId: read.value.codeId,
      serial: record.serial ?? '',
      containerKey: record.containerKey,
      fromSequence: read.value.fromSequence,
      toSequence: read.value.fromSequence + 1,
      operations: read.value.operations,
      resultHash: undefined,
    });
  }

  /**
   * The order of updates, then the operations, then (for packages) the promised result; saved
   * atomically with the new update step, or nothing changes.
   */
  private async applyChecked(
    { container, grant }: VerifiedContainer,
    pkg: Pick<
      UpdatePackage,
      'packageId' | 'serial' | 'containerKey' | 'fromSequence' | 'toSequence' | 'operations'
    > & {
      readonly resultHash: string | undefined;
    },
  ): Promise<Result<AppliedUpdate>> {
    const refusal = packageRefusal(container.record, pkg);
    if (refusal !== undefined) return err(refusal);
    const contents = applyOperations(container.record.contents, pkg.operations);
    if (!contents.ok) return contents;
    if (pkg.resultHash !== undefined && contentsHash(contents.value) !== pkg.resultHash) {
      return refuse(
        'FROM_MISMATCH',
        'Applied to this key, the update does not give the contents the vendor expects.',
      );
    }
    const saved = await this.session.store.save(container, {
      ...container.record,
      contents: contents.value,
      sequence: pkg.toSequence,
      appliedPackages: [...container.record.appliedPackages, pkg.packageId].slice(-APPLIED_PACKAGES_KEPT),
    });
    return ok({
      packageId: pkg.packageId,
      fromSequence: pkg.fromSequence,
      toSequence: pkg.toSequence,
      operations: pkg.operations,
      status: this.session.statusOf(saved, grant),
    });
  }

  private vendorBoxKey(): Result<{ kid: string; publicKey: string }> {
    const key = this.session.config.vendorKeys.findLast((candidate) => candidate.kind === 'x25519');
    return key === undefined
      ? refuse('CONFIG_INVALID', 'The SDK configuration holds no vendor encryption key (x25519).')
      : ok({ kid: key.kid, publicKey: key.publicKey });
  }

  private codeKeyOf({ container }: VerifiedContainer): Result<Buffer> {
    const vendorBox = this.vendorBoxKey();
    if (!vendorBox.ok) return vendorBox;
    const key = codeKey(
      container.keys.box.privateKey,
      vendorBox.value.publicKey,
      container.record.serial ?? '',
    );
    return key === undefined
      ? refuse('CONFIG_INVALID', 'The vendor encryption key in the SDK configuration is not valid.')
      : ok(key);
  }

  private requestOf({ container }: VerifiedContainer): UpdateRequest {
    return {
      serial: container.record.serial ?? '',
      product: this.session.config.product,
      containerKey: container.record.containerKey,
      containerBoxKey: container.record.containerBoxKey,
      fingerprintHash: this.session.fingerprintHash,
      sequence: container.record.sequence,
      contents: container.record.contents,
      nonce: newNonce(),
      issuedAt: this.session.now().toISOString(),
    };
  }

  /** Updates are for a container the vendor has activated; a blocked one takes none. */
  private async activated(): Promise<Result<VerifiedContainer>> {
    const opened = await this.session.open();
    if (!opened.ok) return opened;
    const { container, grant } = opened.value;
    if (container.record.state === 'blocked') return refuse('TAMPER_DETECTED');
    if (grant === null || container.record.serial === null) {
      return refuse('NOT_ACTIVATED', 'Activate the license before requesting or applying updates.');
    }
    return opened;
  }
}
