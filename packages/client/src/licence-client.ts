import {
  DOCUMENT_TYPES,
  decideVerdict,
  err,
  fingerprintHash,
  grantMismatch,
  type KeywardError,
  type LicenceGrant,
  newNonce,
  type OnlineIntent,
  ok,
  openSignedDocument,
  parseSerial,
  type Result,
  readDeactivationReceipt,
  readLicenceGrant,
  refusalFreezes,
  refuse,
  type SignedEnvelope,
  signDocument,
} from '@keyward/core';
import { AnchorFile } from './anchor.js';
import type { ContainerRecord } from './container-record.js';
import { ContainerStore, type OpenContainer, type SaveStage } from './container-store.js';
import { containerView, type KeyStatus, keyStatus } from './key-status.js';
import { productSlug, type SdkConfig, vendorVerifyKeys } from './sdk-config.js';
import { VendorApi } from './vendor-api.js';

export interface LicenceClientOptions {
  readonly config: SdkConfig;
  /** Directory of the licence container file. */
  readonly home: string;
  /** Directory of the anti-rollback anchor: somewhere else than `home`. */
  readonly anchorDir: string;
  /** This computer's fingerprint (see `computeFingerprint`). */
  readonly fingerprint: string;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
  /** Attempts per online request (network failures and 5xx only). */
  readonly attempts?: number;
  readonly interrupt?: (stage: SaveStage) => void;
}

/** The outcome of CheckLicence when the application may run. */
export interface CheckOutcome {
  readonly mode: 'evaluation' | 'licensed';
  /** Whether the licence server was asked this time. */
  readonly online: boolean;
  readonly status: KeyStatus;
}

export interface TransferOutcome {
  readonly transfersUsed: number;
  readonly maxTransfers: number | null;
  readonly status: KeyStatus;
}

/** lastSeenAt is written at most this often: often enough to catch a clock wound back, not a write per start. */
const LAST_SEEN_STEP_MS = 10 * 60 * 1000;

/**
 * The licensed application's view of its licence: evaluation, activation, CheckLicence and
 * transfer. Expected refusals come back as `Err` values with a code and a sentence.
 */
export class LicenceClient {
  private readonly store: ContainerStore;
  private readonly api: VendorApi;
  private readonly vendorKey: ReturnType<typeof vendorVerifyKeys>;
  private readonly now: () => Date;
  private readonly fingerprintHash: string;

  constructor(private readonly options: LicenceClientOptions) {
    const slug = productSlug(options.config);
    this.now = options.now ?? (() => new Date());
    this.store = new ContainerStore({
      file: ContainerStore.fileFor(options.home, slug),
      anchor: new AnchorFile(options.anchorDir, slug, options.fingerprint),
      product: options.config.product,
      fingerprint: options.fingerprint,
      now: this.now,
      interrupt: options.interrupt,
    });
    this.api = new VendorApi({
      serverUrl: options.config.serverUrl,
      attempts: options.attempts,
      fetch: options.fetch,
    });
    this.vendorKey = vendorVerifyKeys(options.config);
    this.fingerprintHash = fingerprintHash(options.config.product, options.fingerprint);
  }

  /** The key status, read offline. The first call on a computer starts the evaluation. */
  async status(): Promise<Result<KeyStatus>> {
    const opened = await this.openVerified();
    if (!opened.ok) return opened;
    return ok(this.statusOf(opened.value.container, opened.value.grant));
  }

  /**
   * CheckLicence, at every start of the application: decides offline whether the server must be
   * asked (the CheckLicence table), asks it when so, and says whether the application may run.
   */
  async check(): Promise<Result<CheckOutcome>> {
    const opened = await this.openVerified();
    if (!opened.ok) return opened;
    let { container, grant } = opened.value;
    const now = this.now();
    const verdict = decideVerdict(
      containerView(container.record, grant, this.options.config.evaluationDays),
      now,
    );
    if (verdict.kind === 'denied') return err(verdict.error);
    if (verdict.kind === 'check-online') {
      const serial = container.record.serial;
      if (serial === null) return refuse('NOT_ACTIVATED');
      return this.askServer(container, serial, 'check');
    }
    if (now.getTime() - Date.parse(container.record.lastSeenAt) > LAST_SEEN_STEP_MS) {
      container = await this.store.save(container, { ...container.record, lastSeenAt: now.toISOString() });
    }
    return ok({
      mode: verdict.kind === 'evaluation' ? 'evaluation' : 'licensed',
      online: false,
      status: this.statusOf(container, grant),
    });
  }

  /**
   * Records a serial for activation by e-mail or fax: the application stays in evaluation and no
   * online check is made until the licence is activated.
   */
  async enterSerial(serialText: string): Promise<Result<KeyStatus>> {
    const serial = parseSerial(serialText);
    if (!serial.ok) return serial;
    const opened = await this.openVerified();
    if (!opened.ok) return opened;
    const { container, grant } = opened.value;
    if (container.record.state !== 'evaluation') {
      return refuse(
        'VALIDATION_FAILED',
        'A serial can only be entered for later activation while in evaluation.',
      );
    }
    const saved = await this.store.save(container, { ...container.record, serial: serial.value });
    return ok(this.statusOf(saved, grant));
  }

  /** Online activation: binds the serial to this computer and removes the evaluation limit. */
  async activate(serialText?: string): Promise<Result<CheckOutcome>> {
    const opened = await this.openVerified();
    if (!opened.ok) return opened;
    const serial = parseSerial(serialText ?? opened.value.container.record.serial ?? '');
    if (!serial.ok)
      return serialText === undefined
        ? refuse('NOT_ACTIVATED', 'Enter a serial number to activate.')
        : serial;
    return this.askServer(opened.value.container, serial.value, 'activate');
  }

  /**
   * Transfer, first half: releases the serial from this computer (the request is signed by this
   * container) and freezes the licence here. Another computer may then activate it.
   */
  async deactivate(): Promise<Result<TransferOutcome>> {
    const opened = await this.openVerified();
    if (!opened.ok) return opened;
    const { container, grant } = opened.value;
    if (container.record.state === 'blocked') return refuse('TAMPER_DETECTED');
    if (grant === null || container.record.state !== 'active' || container.record.serial === null) {
      return refuse('NOT_ACTIVATED', 'Only an activated licence can be transferred.');
    }
    const nonce = newNonce();
    const request = signDocument(
      DOCUMENT_TYPES.deactivationRequest,
      {
        serial: container.record.serial,
        product: this.options.config.product,
        bindingId: grant.bindingId,
        containerKey: container.record.containerKey,
        fingerprintHash: this.fingerprintHash,
        nonce,
        issuedAt: this.now().toISOString(),
      },
      container.keys.signer,
    );
    const answer = await this.api.post('/v1/machine/deactivate', {
      containerKey: container.record.containerKey,
      request,
    });
    if (!answer.ok) return answer;
    const receiptEnvelope = (answer.value as { receipt?: unknown }).receipt;
    const verified = openSignedDocument(receiptEnvelope, DOCUMENT_TYPES.deactivationReceipt, this.vendorKey);
    const receipt = verified.ok ? readDeactivationReceipt(verified.value) : verified;
    if (!receipt.ok) return receipt;
    if (receipt.value.nonce !== nonce || receipt.value.bindingId !== grant.bindingId)
      return refuse('ANSWER_MISMATCH');
    // The grant was for the binding just released: it goes, and the next start asks the server.
    const saved = await this.store.save(container, {
      ...container.record,
      state: 'frozen',
      grant: null,
      lastRefusal: null,
    });
    return ok({
      transfersUsed: receipt.value.transfersUsed,
      maxTransfers: receipt.value.maxTransfers,
      status: this.statusOf(saved, null),
    });
  }

  /** Loads the container and verifies the vendor's grant inside it; an altered grant is tamper. */
  private async openVerified(): Promise<Result<{ container: OpenContainer; grant: LicenceGrant | null }>> {
    const loaded = await this.store.load();
    if (!loaded.ok) return loaded;
    const container = loaded.value;
    const { grant: envelope, serial } = container.record;
    if (envelope === null) return ok({ container, grant: null });
    const grant = this.verifyGrant(envelope, container.record);
    if (grant.ok) return ok({ container, grant: grant.value });
    if (grant.error.code === 'UNKNOWN_KEY_ID' && serial !== null) {
      // Signed with a vendor key this application no longer ships: ask the server for a new grant.
      const frozen = await this.store.save(container, { ...container.record, state: 'frozen', grant: null });
      return ok({ container: frozen, grant: null });
    }
    const blocked = await this.store.save(container, { ...container.record, state: 'blocked' });
    return ok({ container: blocked, grant: null });
  }

  private verifyGrant(
    envelope: SignedEnvelope,
    record: ContainerRecord,
    nonce?: string,
  ): Result<LicenceGrant> {
    const opened = openSignedDocument(envelope, DOCUMENT_TYPES.licenceGrant, this.vendorKey);
    if (!opened.ok) return opened;
    const grant = readLicenceGrant(opened.value);
    if (!grant.ok) return grant;
    const mismatch = grantMismatch(grant.value, {
      nonce: nonce ?? grant.value.nonce,
      serial: record.serial ?? grant.value.serial,
      product: this.options.config.product,
      containerKey: record.containerKey,
      fingerprintHash: this.fingerprintHash,
    });
    return mismatch === undefined
      ? grant
      : refuse('ANSWER_MISMATCH', `The licence grant does not match this container (${mismatch}).`);
  }

  /** Activation or online CheckLicence; the answer is verified before anything is stored. */
  private async askServer(
    container: OpenContainer,
    serial: string,
    intent: OnlineIntent,
  ): Promise<Result<CheckOutcome>> {
    const nonce = newNonce();
    const now = this.now();
    const request = signDocument(
      DOCUMENT_TYPES.licenceRequest,
      {
        serial,
        product: this.options.config.product,
        containerKey: container.record.containerKey,
        containerBoxKey: container.record.containerBoxKey,
        fingerprintHash: this.fingerprintHash,
        nonce,
        issuedAt: now.toISOString(),
      },
      container.keys.signer,
    );
    const answer = await this.api.post(`/v1/machine/${intent}`, {
      containerKey: container.record.containerKey,
      request,
    });
    if (!answer.ok) return this.refused(container, serial, intent, answer.error);
    const envelope = (answer.value as { grant?: SignedEnvelope }).grant;
    if (envelope === undefined)
      return refuse('ANSWER_MISMATCH', 'The licence server answered without a licence grant.');
    const grant = this.verifyGrant(envelope, { ...container.record, serial }, nonce);
    if (!grant.ok) return grant;
    const saved = await this.store.save(container, {
      ...container.record,
      state: 'active',
      serial,
      grant: envelope,
      lastRefusal: null,
      lastSeenAt: now.toISOString(),
    });
    return ok({ mode: 'licensed', online: true, status: this.statusOf(saved, grant.value) });
  }

  private async refused(
    container: OpenContainer,
    serial: string,
    intent: OnlineIntent,
    error: KeywardError,
  ): Promise<Result<CheckOutcome>> {
    if (refusalFreezes(error.code, intent)) {
      await this.store.save(container, {
        ...container.record,
        state: 'frozen',
        serial,
        lastRefusal: { code: error.code, message: error.message },
      });
    }
    return err(error);
  }

  private statusOf(container: OpenContainer, grant: LicenceGrant | null): KeyStatus {
    const now = this.now();
    const view = containerView(container.record, grant, this.options.config.evaluationDays);
    return keyStatus(
      container.record,
      grant,
      this.options.config.evaluationDays,
      decideVerdict(view, now),
      now,
    );
  }
}
