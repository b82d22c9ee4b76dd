import {
  DOCUMENT_TYPES,
  decideVerdict,
  err,
  grantBringsContents,
  type KeywardError,
  newNonce,
  type OnlineIntent,
  ok,
  openSignedDocument,
  parseSerial,
  type Result,
  readDeactivationReceipt,
  refusalFreezes,
  refuse,
  type SignedEnvelope,
  signDocument,
} from '@keyward/core';
import type { OpenContainer } from './container-store.js';
import { KeyContents } from './key-contents.js';
import { containerView, type KeyStatus } from './key-status.js';
import { KeyUpdates } from './key-updates.js';
import { type LicenseClientOptions, LicenseSession, type VerifiedContainer } from './license-session.js';

/** The outcome of CheckLicense when the application may run. */
export interface CheckOutcome {
  readonly mode: 'evaluation' | 'licensed';
  /** Whether the license server was asked this time. */
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
 * The licensed application's view of its license: evaluation, activation, CheckLicense and
 * transfer. Expected refusals come back as `Err` values with a code and a sentence.
 */
export class LicenseClient {
  private readonly session: LicenseSession;
  /** Request files, update packages, online updates. */
  readonly updates: KeyUpdates;
  /** Items, seats, counters, passwords and memory objects, for the application. */
  readonly contents: KeyContents;

  constructor(options: LicenseClientOptions) {
    this.session = new LicenseSession(options);
    this.updates = new KeyUpdates(this.session);
    this.contents = new KeyContents(this.session);
  }

  /** The key status, read offline. The first call on a computer starts the evaluation. */
  async status(): Promise<Result<KeyStatus>> {
    const opened = await this.session.open();
    if (!opened.ok) return opened;
    return ok(this.session.statusOf(opened.value.container, opened.value.grant));
  }

  /**
   * CheckLicense, at every start of the application: decides offline whether the server must be
   * asked (the CheckLicense table), asks it when so, and says whether the application may run.
   */
  async check(): Promise<Result<CheckOutcome>> {
    const opened = await this.session.open();
    if (!opened.ok) return opened;
    let { container, grant } = opened.value;
    const now = this.session.now();
    const verdict = decideVerdict(
      containerView(container.record, grant, this.session.config.evaluationDays),
      now,
    );
    if (verdict.kind === 'denied') return err(verdict.error);
    if (verdict.kind === 'check-online') {
      const serial = container.record.serial;
      if (serial === null) return refuse('NOT_ACTIVATED');
      return this.askServer({ container, grant }, serial, 'check');
    }
    if (now.getTime() - Date.parse(container.record.lastSeenAt) > LAST_SEEN_STEP_MS) {
      container = await this.session.store.save(container, {
        ...container.record,
        lastSeenAt: now.toISOString(),
      });
    }
    return ok({
      mode: verdict.kind === 'evaluation' ? 'evaluation' : 'licensed',
      online: false,
      status: this.session.statusOf(container, grant),
    });
  }

  /**
   * Records a serial for activation by e-mail or fax: the application stays in evaluation and no
   * online check is made until the license is activated.
   */
  async enterSerial(serialText: string): Promise<Result<KeyStatus>> {
    const serial = parseSerial(serialText);
    if (!serial.ok) return serial;
    const opened = await this.session.open();
    if (!opened.ok) return opened;
    const { container, grant } = opened.value;
    if (container.record.state !== 'evaluation') {
      return refuse(
        'VALIDATION_FAILED',
        'A serial can only be entered for later activation while in evaluation.',
      );
    }
    const saved = await this.session.store.save(container, { ...container.record, serial: serial.value });
    return ok(this.session.statusOf(saved, grant));
  }

  /** Online activation: binds the serial to this computer and removes the evaluation limit. */
  async activate(serialText?: string): Promise<Result<CheckOutcome>> {
    const opened = await this.session.open();
    if (!opened.ok) return opened;
    const serial = parseSerial(serialText ?? opened.value.container.record.serial ?? '');
    if (!serial.ok)
      return serialText === undefined
        ? refuse('NOT_ACTIVATED', 'Enter a serial number to activate.')
        : serial;
    return this.askServer(opened.value, serial.value, 'activate');
  }

  /**
   * Transfer, first half: releases the serial from this computer (the request is signed by this
   * container) and freezes the license here. Another computer may then activate it.
   */
  async deactivate(): Promise<Result<TransferOutcome>> {
    const opened = await this.session.open();
    if (!opened.ok) return opened;
    const { container, grant } = opened.value;
    if (container.record.state === 'blocked') return refuse('TAMPER_DETECTED');
    if (grant === null || container.record.state !== 'active' || container.record.serial === null) {
      return refuse('NOT_ACTIVATED', 'Only an activated license can be transferred.');
    }
    const nonce = newNonce();
    const request = signDocument(
      DOCUMENT_TYPES.deactivationRequest,
      {
        serial: container.record.serial,
        product: this.session.config.product,
        bindingId: grant.bindingId,
        containerKey: container.record.containerKey,
        fingerprintHash: this.session.fingerprintHash,
        nonce,
        issuedAt: this.session.now().toISOString(),
      },
      container.keys.signer,
    );
    const answer = await this.session.api.post('/v1/machine/deactivate', {
      containerKey: container.record.containerKey,
      request,
    });
    if (!answer.ok) return answer;
    const receiptEnvelope = (answer.value as { receipt?: unknown }).receipt;
    const verified = openSignedDocument(
      receiptEnvelope,
      DOCUMENT_TYPES.deactivationReceipt,
      this.session.vendorKey,
    );
    const receipt = verified.ok ? readDeactivationReceipt(verified.value) : verified;
    if (!receipt.ok) return receipt;
    if (receipt.value.nonce !== nonce || receipt.value.bindingId !== grant.bindingId)
      return refuse('ANSWER_MISMATCH');
    // The grant was for the binding just released: it goes, and the next start asks the server.
    const saved = await this.session.store.save(container, {
      ...container.record,
      state: 'frozen',
      grant: null,
      lastRefusal: null,
    });
    return ok({
      transfersUsed: receipt.value.transfersUsed,
      maxTransfers: receipt.value.maxTransfers,
      status: this.session.statusOf(saved, null),
    });
  }

  /** Activation or online CheckLicense; the answer is verified before anything is stored. */
  private async askServer(
    { container, grant: held }: VerifiedContainer,
    serial: string,
    intent: OnlineIntent,
  ): Promise<Result<CheckOutcome>> {
    const nonce = newNonce();
    const now = this.session.now();
    const request = signDocument(
      DOCUMENT_TYPES.licenseRequest,
      {
        serial,
        product: this.session.config.product,
        containerKey: container.record.containerKey,
        containerBoxKey: container.record.containerBoxKey,
        fingerprintHash: this.session.fingerprintHash,
        nonce,
        issuedAt: now.toISOString(),
      },
      container.keys.signer,
    );
    const answer = await this.session.api.post(`/v1/machine/${intent}`, {
      containerKey: container.record.containerKey,
      request,
    });
    if (!answer.ok) return this.refused(container, serial, intent, answer.error);
    const envelope = (answer.value as { grant?: SignedEnvelope }).grant;
    if (envelope === undefined)
      return refuse('ANSWER_MISMATCH', 'The license server answered without a license grant.');
    const grant = this.session.verifyGrant(envelope, { ...container.record, serial }, nonce);
    if (!grant.ok) return grant;
    const vendorRecord = grantBringsContents(held?.bindingId ?? null, grant.value.bindingId)
      ? { contents: grant.value.contents, sequence: grant.value.sequence, appliedPackages: [] }
      : {};
    const saved = await this.session.store.save(container, {
      ...container.record,
      ...vendorRecord,
      state: 'active',
      serial,
      grant: envelope,
      lastRefusal: null,
      lastSeenAt: now.toISOString(),
    });
    return ok({ mode: 'licensed', online: true, status: this.session.statusOf(saved, grant.value) });
  }

  private async refused(
    container: OpenContainer,
    serial: string,
    intent: OnlineIntent,
    error: KeywardError,
  ): Promise<Result<CheckOutcome>> {
    if (refusalFreezes(error.code, intent)) {
      await this.session.store.save(container, {
        ...container.record,
        state: 'frozen',
        serial,
        lastRefusal: { code: error.code, message: error.message },
      });
    }
    return err(error);
  }
}
