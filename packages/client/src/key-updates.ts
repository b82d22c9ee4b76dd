import {
  applyUpdate,
  codeKey,
  encodeRequestCode,
  encodeSealedFile,
  err,
  type HeldUpdate,
  heldAfter,
  type LicenseTerms,
  newNonce,
  ok,
  openSealedFile,
  parseSignedEnvelope,
  REQUEST_FILE_LABEL,
  type ReceivedError,
  type Result,
  refuse,
  signDocument,
  UPDATE_DOCUMENT_TYPES,
  UPDATE_FILE_LABEL,
  type UpdateOperation,
  type UpdateRequest,
  verifyUpdate,
} from '@keyward/core';
import type { KeyStatus } from './key-status.js';
import type { LicenseSession, VerifiedContainer } from './license-session.js';

type Activated = VerifiedContainer & { readonly terms: LicenseTerms };

/** An upgrade order processed online and applied: the counts it took the key from and to. */
export interface OrderUpgrade extends AppliedUpdate {
  readonly orderId: string;
  readonly upgrade: ReadonlyArray<{ item: string; kind: string; from: number; to: number }>;
}

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
    const { terms } = opened.value;
    const vendorBox = this.session.vendorBoxKey();
    if (!vendorBox.ok) return vendorBox;
    const { request: signed } = this.signedRequest(opened.value);
    return ok(
      encodeSealedFile(
        REQUEST_FILE_LABEL,
        {
          Serial: terms.grant.serial,
          Product: this.session.config.product,
          Step: String(terms.sequence),
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
    const envelope = parseSignedEnvelope(signed.value);
    if (!envelope.ok) return envelope;
    return this.applyHeld({ kind: 'package', envelope: envelope.value });
  }

  /** Online update: asks the license server for the packages pending for this container and applies them in order. */
  async pull(): Promise<Result<AppliedUpdate[], ReceivedError>> {
    const opened = await this.activated();
    if (!opened.ok) return opened;
    const answer = await this.session.api.post('/v1/machine/updates', this.signedRequest(opened.value));
    if (answer.kind !== 'answer') return err(answer.error);
    const packages = (answer.body as { packages?: unknown }).packages;
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

  /**
   * Processes a dealer's upgrade order from this computer: the key's own contents are the From
   * counts, the authorization number proves the order was given to whoever runs this, and the
   * Key Upgrade file the vendor returns is applied like any other.
   */
  async upgradeByOrder(
    orderId: string,
    authorizationNumber: string,
  ): Promise<Result<OrderUpgrade, ReceivedError>> {
    const opened = await this.activated();
    if (!opened.ok) return opened;
    const answer = await this.session.api.post(`/v1/machine/orders/${encodeURIComponent(orderId)}/process`, {
      ...this.signedRequest(opened.value),
      authorizationNumber,
    });
    if (answer.kind !== 'answer') return err(answer.error);
    const body = answer.body as { file?: unknown; upgrade?: unknown };
    if (typeof body.file !== 'string' || !Array.isArray(body.upgrade))
      return refuse('ANSWER_MISMATCH', 'The license server answered without an upgrade file.');
    const applied = await this.apply(body.file);
    if (!applied.ok) return applied;
    return ok({ ...applied.value, orderId, upgrade: body.upgrade as OrderUpgrade['upgrade'] });
  }

  /** The request code (Transaction Key) to read to the vendor over the phone. */
  async createRequestCode(): Promise<Result<string>> {
    const opened = await this.activated();
    if (!opened.ok) return opened;
    const { terms } = opened.value;
    const key = this.codeKeyOf(opened.value);
    return key.ok ? ok(encodeRequestCode(terms.sequence, terms.contents, key.value)) : key;
  }

  /** Applies an activation code read over the phone: signed by the vendor, applied like a package. */
  async applyCode(code: string): Promise<Result<AppliedUpdate>> {
    const opened = await this.activated();
    if (!opened.ok) return opened;
    return this.applyHeld({ kind: 'code', code });
  }

  /**
   * Verifies the update against the terms read afresh under the container's lock, applies it and
   * keeps it with the grant, so its signature is checked again at every start; all or nothing.
   */
  private async applyHeld(update: HeldUpdate): Promise<Result<AppliedUpdate>> {
    const changed = await this.session.change((current) => {
      if (current.container.record.state === 'blocked') return refuse('TAMPER_DETECTED');
      if (current.terms === null)
        return refuse('NOT_ACTIVATED', 'Activate the license before applying updates.');
      const verified = verifyUpdate(update, current.terms, this.session.vendorKeys);
      if (!verified.ok) return verified;
      const applied = applyUpdate(current.terms, verified.value);
      if (!applied.ok) return applied;
      const { record } = current.container;
      return ok({ next: { ...record, updates: heldAfter(record.updates, update) }, value: verified.value });
    });
    if (!changed.ok) return changed;
    const pkg = changed.value.value;
    return ok({
      packageId: pkg.id,
      fromSequence: pkg.fromSequence,
      toSequence: pkg.toSequence,
      operations: pkg.operations,
      status: this.session.statusOf(changed.value.verified),
    });
  }

  private codeKeyOf({ container, terms }: Activated): Result<Buffer> {
    const vendorBox = this.session.vendorBoxKey();
    if (!vendorBox.ok) return vendorBox;
    const key = codeKey(container.keys.box.privateKey, vendorBox.value.publicKey, terms.grant.serial);
    return key === undefined
      ? refuse('CONFIG_INVALID', 'The vendor encryption key in the SDK configuration is not valid.')
      : ok(key);
  }

  /** The container's update request, signed by it: what every way of asking for updates sends. */
  private signedRequest(activated: Activated) {
    const { container } = activated;
    return {
      containerKey: container.record.containerKey,
      request: signDocument(
        UPDATE_DOCUMENT_TYPES.updateRequest,
        this.requestOf(activated),
        container.keys.signer,
      ),
    };
  }

  private requestOf({ container, terms }: Activated): UpdateRequest {
    return {
      serial: terms.grant.serial,
      product: this.session.config.product,
      containerKey: container.record.containerKey,
      containerBoxKey: container.record.containerBoxKey,
      fingerprintHash: this.session.fingerprintHash,
      sequence: terms.sequence,
      contents: terms.contents,
      nonce: newNonce(),
      issuedAt: this.session.now().toISOString(),
    };
  }

  /** Updates are for a container the vendor has activated; a blocked one takes none. */
  private async activated(): Promise<Result<Activated>> {
    const opened = await this.session.open();
    if (!opened.ok) return opened;
    const { container, terms } = opened.value;
    if (container.record.state === 'blocked') return refuse('TAMPER_DETECTED');
    if (terms === null) {
      return refuse('NOT_ACTIVATED', 'Activate the license before requesting or applying updates.');
    }
    return ok({ ...opened.value, terms });
  }
}
