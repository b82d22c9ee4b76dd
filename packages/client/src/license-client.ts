import {
  DOCUMENT_TYPES,
  DOCUMENTS,
  decideUnreachable,
  decideVerdict,
  type ErrorCode,
  err,
  grantMismatch,
  isProvisionalGrant,
  type KeywardError,
  keywardError,
  type LicenseGrant,
  laterInstant,
  newNonce,
  type OnlineIntent,
  ok,
  openDocument,
  parseSerial,
  parseSignedEnvelope,
  type ReceivedError,
  type Result,
  refusalFreezes,
  refuse,
  releaseRefusalOutcome,
  type SignedEnvelope,
  signDocument,
  type Verdict,
  type Verified,
  verifyRefusal,
} from '@keyward/core';
import type { ContainerRecord } from './container-record.js';
import { KeyContents } from './key-contents.js';
import type { KeyStatus } from './key-status.js';
import { KeyUpdates } from './key-updates.js';
import {
  adoptGrant,
  type LicenseClientOptions,
  LicenseSession,
  type VerifiedContainer,
} from './license-session.js';
import { OfflineActivation } from './offline-activation.js';

/** The outcome of CheckLicense when the application may run. */
export interface CheckOutcome {
  /** `grace`: a due check could not reach the server; the application runs for `grace.daysLeft` more days. */
  readonly mode: 'evaluation' | 'licensed' | 'grace';
  /** Whether the license server answered this time. */
  readonly online: boolean;
  readonly grace?: { readonly daysLeft: number; readonly until: string };
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
 * transfer. Expected refusals come back as `Err` values with a code and a sentence. The container
 * changes state only on an answer the vendor signed.
 */
export class LicenseClient {
  private readonly session: LicenseSession;
  /** Request files, update packages, online updates. */
  readonly updates: KeyUpdates;
  /** Items, seats, counters, passwords and memory objects, for the application. */
  readonly contents: KeyContents;
  /** Activation by e-mail or fax: the activation request and the Unlock Key. */
  readonly offline: OfflineActivation;

  constructor(options: LicenseClientOptions) {
    this.session = new LicenseSession(options);
    this.updates = new KeyUpdates(this.session);
    this.contents = new KeyContents(this.session);
    this.offline = new OfflineActivation(this.session);
  }

  /** The key status, read offline. The first call on a computer starts the evaluation. */
  async status(): Promise<Result<KeyStatus>> {
    return this.session.status();
  }

  /**
   * CheckLicense, at every start of the application: decides offline whether the server must be
   * asked (the CheckLicense table), asks it when so, and says whether the application may run.
   */
  async check(): Promise<Result<CheckOutcome, ReceivedError>> {
    const opened = await this.session.open();
    if (!opened.ok) return opened;
    const verified = opened.value;
    const { record } = verified.container;
    const now = this.session.now();
    const verdict = decideVerdict(this.session.view(verified), now);
    if (verdict.kind === 'denied') return this.deniedAt(verdict.error, now);
    if (record.state === 'releasing') {
      const released = await this.finishRelease(verified, 'LICENSE_FROZEN');
      if (!released.ok) return released;
      return refuse(
        'NOT_ACTIVATED',
        'The serial was released from this computer for a transfer: activate it again to use it here.',
      );
    }
    if (verdict.kind === 'check-online') {
      const serial = verified.terms?.grant.serial ?? record.serial;
      if (serial === null) return refuse('NOT_ACTIVATED');
      return this.askServer(verified, serial, 'check', verdict);
    }
    let current = verified;
    if (now.getTime() - Date.parse(record.lastSeenAt) > LAST_SEEN_STEP_MS) {
      const seen = await this.session.change((fresh) =>
        ok({ next: seenAt(fresh.container.record, now), value: undefined }),
      );
      if (!seen.ok) return seen;
      current = seen.value.verified;
    }
    return ok({
      mode: verdict.kind === 'evaluation' ? 'evaluation' : 'licensed',
      online: false,
      status: this.session.statusOf(current),
    });
  }

  /** Online activation: binds the serial to this computer and removes the evaluation limit. */
  async activate(serialText?: string): Promise<Result<CheckOutcome, ReceivedError>> {
    let opened = await this.session.open();
    // A container copied here from another computer, or holding another computer's grant, gives
    // way to this computer's own: activating here is how the user recovers from WRONG_COMPUTER.
    if (!opened.ok && opened.error.code === 'WRONG_COMPUTER') opened = await this.session.reclaim();
    if (!opened.ok) return opened;
    const { record } = opened.value.container;
    const serial = parseSerial(serialText ?? opened.value.terms?.grant.serial ?? record.serial ?? '');
    if (!serial.ok)
      return serialText === undefined
        ? refuse('NOT_ACTIVATED', 'Enter a serial number to activate.')
        : serial;
    if (record.state === 'releasing') {
      return refuse(
        'NOT_ACTIVATED',
        'This computer is releasing its serial for a transfer: start the application online to finish it first.',
      );
    }
    return this.askServer(opened.value, serial.value, 'activate', undefined);
  }

  /**
   * Transfer, first half: releases the serial from this computer. The container freezes itself
   * (`releasing`) before it sends the request, so a lost answer never leaves it licensed; sending
   * again (here, or at the next start) gets the same receipt.
   */
  async deactivate(): Promise<Result<TransferOutcome, ReceivedError>> {
    const known = await this.settleProvisional();
    if (!known.ok) return known;
    const releasing = await this.session.change((current) => {
      const { record } = current.container;
      if (record.state === 'blocked') return refuse('TAMPER_DETECTED');
      if (record.state === 'releasing') return ok({ next: undefined, value: undefined });
      if (current.terms === null || (record.state !== 'active' && record.state !== 'grace')) {
        return refuse('NOT_ACTIVATED', 'Only an activated license can be transferred.');
      }
      return ok({ next: { ...record, state: 'releasing' }, value: undefined });
    });
    if (!releasing.ok) return releasing;
    return this.finishRelease(releasing.value.verified);
  }

  /**
   * A computer activated by an Unlock Key code is known to the vendor by its installation id only:
   * it checks online once, which gives the binding its keys and the container a full grant, before
   * its serial can be released.
   */
  private async settleProvisional(): Promise<Result<void, ReceivedError>> {
    const opened = await this.session.open();
    if (!opened.ok) return opened;
    const { terms, container } = opened.value;
    const state = container.record.state;
    if (terms === null || !isProvisionalGrant(terms.grant) || (state !== 'active' && state !== 'grace'))
      return ok(undefined);
    const checked = await this.askServer(opened.value, terms.grant.serial, 'activate', undefined);
    if (checked.ok) return ok(undefined);
    return err({
      code: checked.error.code,
      message: `${checked.error.message} This computer was activated by phone: it must reach the license server once before its serial can be transferred.`,
    });
  }

  private async finishRelease(
    verified: VerifiedContainer,
    pendingCode?: ErrorCode,
  ): Promise<Result<TransferOutcome, ReceivedError>> {
    const { container, terms } = verified;
    if (terms === null) return refuse('NOT_ACTIVATED', 'Only an activated license can be transferred.');
    const nonce = newNonce();
    const { grant } = terms;
    const request = signDocument(
      DOCUMENT_TYPES.deactivationRequest,
      {
        serial: grant.serial,
        product: this.session.config.product,
        containerKey: container.record.containerKey,
        fingerprintHash: this.session.fingerprintHash,
        nonce,
        issuedAt: this.session.now().toISOString(),
        bindingId: grant.bindingId,
        consumed: verified.consumed,
      },
      container.keys.signer,
    );
    const answer = await this.session.api.post('/v1/machine/deactivate', {
      containerKey: container.record.containerKey,
      request,
    });
    const stillReleasing = (cause: ReceivedError) =>
      err({
        code: pendingCode ?? cause.code,
        message: `${cause.message} This computer stays frozen; the transfer finishes at the next start online.`,
      });
    if (answer.kind === 'unreachable') return stillReleasing(answer.error);
    if (answer.kind === 'refused') {
      const refusal = verifyRefusal(answer.signedRefusal, this.session.vendorKeys, {
        nonce,
        serial: grant.serial,
        containerKey: container.record.containerKey,
        code: answer.error.code,
      });
      if (!refusal.ok) return stillReleasing(answer.error);
      const outcome = releaseRefusalOutcome(answer.error.code);
      await this.session.change((current) =>
        current.container.record.state !== 'releasing'
          ? ok({ next: undefined, value: undefined })
          : ok({
              next: {
                ...current.container.record,
                state: outcome === 'still-licensed' ? 'active' : 'frozen',
                ...(outcome === 'binding-gone' ? { grant: null, updates: [] } : {}),
                lastRefusal: { code: answer.error.code, message: answer.error.message },
              },
              value: undefined,
            }),
      );
      return err(answer.error);
    }
    const receipt = openDocument(
      (answer.body as { receipt?: unknown }).receipt,
      DOCUMENTS.deactivationReceipt,
      this.session.vendorKeys.byKid,
    );
    if (!receipt.ok || receipt.value.nonce !== nonce || receipt.value.bindingId !== grant.bindingId) {
      return stillReleasing(keywardError('ANSWER_UNSIGNED'));
    }
    // The grant was for the binding just released: it goes, and the next start asks the server.
    const saved = await this.session.change((current) =>
      ok({
        next: {
          ...current.container.record,
          state: 'frozen',
          serial: grant.serial,
          grant: null,
          updates: [],
          lastRefusal: null,
        },
        value: undefined,
      }),
    );
    if (!saved.ok) return saved;
    return ok({
      transfersUsed: receipt.value.transfersUsed,
      maxTransfers: receipt.value.maxTransfers,
      status: this.session.statusOf(saved.value.verified),
    });
  }

  /** Activation or online CheckLicense; the answer is verified before anything is stored. */
  private async askServer(
    verified: VerifiedContainer,
    serial: string,
    intent: OnlineIntent,
    verdict: Extract<Verdict, { kind: 'check-online' }> | undefined,
  ): Promise<Result<CheckOutcome, ReceivedError>> {
    const { container } = verified;
    const nonce = newNonce();
    const now = this.session.now();
    const request = signDocument(
      DOCUMENT_TYPES.licenseRequest,
      {
        serial,
        product: this.session.config.product,
        containerKey: container.record.containerKey,
        fingerprintHash: this.session.fingerprintHash,
        nonce,
        issuedAt: now.toISOString(),
        containerBoxKey: container.record.containerBoxKey,
        fingerprintParts: this.session.fingerprintParts,
        sequence: verified.terms?.sequence ?? 0,
        consumed: verified.consumed,
        ...(container.record.state === 'blocked' ? { tamperDetected: true as const } : {}),
      },
      container.keys.signer,
    );
    const answer = await this.session.api.post(`/v1/machine/${intent}`, {
      containerKey: container.record.containerKey,
      request,
    });
    const expected = { nonce, serial, containerKey: container.record.containerKey };
    if (answer.kind === 'refused') {
      const refusal = verifyRefusal(answer.signedRefusal, this.session.vendorKeys, {
        ...expected,
        code: answer.error.code,
      });
      if (refusal.ok) return this.refused(serial, intent, answer.error);
      if (intent === 'activate') return err(answer.error);
      return this.unreachable(verdict, now, keywardError('ANSWER_UNSIGNED'));
    }
    if (answer.kind === 'unreachable') {
      return intent === 'activate' ? err(answer.error) : this.unreachable(verdict, now, answer.error);
    }
    const grant = this.verifyGrant((answer.body as { grant?: unknown }).grant, expected, container.record);
    if (!grant.ok) {
      return intent === 'activate' ? grant : this.unreachable(verdict, now, grant.error);
    }
    const saved = await this.session.change((current) =>
      ok({ next: adoptGrant(current.container.record, grant.value, now), value: undefined }),
    );
    if (!saved.ok) return saved;
    return ok({ mode: 'licensed', online: true, status: this.session.statusOf(saved.value.verified) });
  }

  private verifyGrant(
    envelope: unknown,
    expected: { readonly nonce: string; readonly serial: string; readonly containerKey: string },
    record: ContainerRecord,
  ): Result<{ envelope: SignedEnvelope; grant: Verified<LicenseGrant> }> {
    const grant = openDocument(envelope, DOCUMENTS.licenseGrant, this.session.vendorKeys.byKid);
    if (!grant.ok) return refuse('ANSWER_UNSIGNED');
    const mismatch = grantMismatch(grant.value, {
      ...expected,
      product: this.session.config.product,
      fingerprintHash: this.session.fingerprintHash,
    });
    if (mismatch !== undefined || grant.value.containerBoxKey !== record.containerBoxKey) {
      return refuse(
        'ANSWER_MISMATCH',
        `The license grant does not match this request (${mismatch ?? 'box key'}).`,
      );
    }
    // Kept as parsed (a batch-signed grant keeps its proof): it is verified again at every start.
    const parsed = parseSignedEnvelope(envelope);
    return parsed.ok ? ok({ envelope: parsed.value, grant: grant.value }) : parsed;
  }

  /** A signed refusal: the container freezes when the refusal calls for it. */
  private async refused(
    serial: string,
    intent: OnlineIntent,
    error: ReceivedError,
  ): Promise<Result<CheckOutcome, ReceivedError>> {
    const now = this.session.now();
    await this.session.change((current) => {
      const record = seenAt(current.container.record, now);
      if (!refusalFreezes(error.code, intent)) return ok({ next: record, value: undefined });
      return ok({
        next: {
          ...record,
          state: 'frozen',
          serial,
          lastRefusal: { code: error.code, message: error.message },
        },
        value: undefined,
      });
    });
    return err(error);
  }

  /** No signed answer to a due check: grace while it lasts, then the application stops. */
  private async unreachable(
    verdict: Extract<Verdict, { kind: 'check-online' }> | undefined,
    now: Date,
    cause: ReceivedError,
  ): Promise<Result<CheckOutcome, ReceivedError>> {
    const changed = await this.session.change((current) => {
      const record = seenAt(current.container.record, now);
      const decision = decideUnreachable(
        verdict ?? { kind: 'check-online', graceUntil: null },
        record.state,
        now,
        cause,
      );
      const next: ContainerRecord = decision.kind === 'grace' ? { ...record, state: 'grace' } : record;
      return ok({ next, value: decision });
    });
    if (!changed.ok) return changed;
    const decision = changed.value.value;
    if (decision.kind === 'denied') return err(decision.error);
    return ok({
      mode: 'grace',
      online: false,
      grace: { daysLeft: decision.daysLeft, until: decision.until.toISOString() },
      status: this.session.statusOf(changed.value.verified),
    });
  }

  /** A refused start still records the time it saw, so winding the clock back after it is caught. */
  private async deniedAt(error: KeywardError, now: Date): Promise<Result<CheckOutcome>> {
    if (error.code !== 'CLOCK_ROLLBACK' && error.code !== 'TAMPER_DETECTED') {
      await this.session.change((current) =>
        ok({ next: seenAt(current.container.record, now), value: undefined }),
      );
    }
    return err(error);
  }
}

/** The record with the clock's high-water mark raised to `now`. */
function seenAt(record: ContainerRecord, now: Date): ContainerRecord {
  return { ...record, lastSeenAt: laterInstant(record.lastSeenAt, now.toISOString()) };
}
