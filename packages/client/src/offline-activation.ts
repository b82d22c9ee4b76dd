import {
  ACTIVATION_REQUEST_LABEL,
  DOCUMENT_TYPES,
  DOCUMENTS,
  decodeShortCode,
  encodeSealedFile,
  encodeShortCode,
  encodeUnlockRequest,
  grantMismatch,
  newNonce,
  ok,
  openDocument,
  openSealedFile,
  parseSerial,
  parseSignedEnvelope,
  type Result,
  readUnlockKey,
  refuse,
  repeatsWaitingRequest,
  signDocument,
  UNLOCK_KEY_LABEL,
  type UnlockKeyGrant,
} from '@keyward/core';
import type { ContainerKeys, ContainerRecord } from './container-record.js';
import type { KeyStatus } from './key-status.js';
import { adoptGrant, type LicenseSession } from './license-session.js';

/**
 * Activation by e-mail or fax (003, "E-Mail or Fax Activation"): the computer makes an activation
 * request binding the serial to this container; the vendor answers with an Unlock Key, the
 * license grant sealed to this container. Until it is entered, the application runs in
 * evaluation and asks for the Unlock Key at every start.
 */
export class OfflineActivation {
  constructor(private readonly session: LicenseSession) {}

  /**
   * The activation request to send the vendor: a file (e-mail, fax), and a code to read out on the
   * phone (null when this computer's fingerprint has parts a code cannot carry). The container now
   * waits for its Unlock Key.
   */
  async request(serialText: string): Promise<Result<ActivationRequest>> {
    const serial = parseSerial(serialText);
    if (!serial.ok) return serial;
    const vendorBox = this.session.vendorBoxKey();
    if (!vendorBox.ok) return vendorBox;
    const opened = await this.session.open();
    if (!opened.ok && opened.error.code === 'WRONG_COMPUTER') {
      const reclaimed = await this.session.reclaim();
      if (!reclaimed.ok) return reclaimed;
    }
    const changed = await this.session.change((current) => {
      const { record } = current.container;
      if (record.state === 'releasing') {
        return refuse(
          'NOT_ACTIVATED',
          'This computer is releasing its serial for a transfer: finish it online first.',
        );
      }
      if (current.terms !== null && (record.state === 'active' || record.state === 'grace')) {
        return refuse('ALREADY_ACTIVATED');
      }
      // Asking again for the same serial repeats the waiting request, so an Unlock Key already on
      // its way still fits; another serial, or a request too old for the vendor, starts a new one.
      const now = this.session.now();
      const pending =
        record.pendingActivation !== null && repeatsWaitingRequest(record, serial.value, now)
          ? record.pendingActivation
          : { nonce: newNonce(), requestedAt: now.toISOString() };
      return ok({ next: { ...record, serial: serial.value, pendingActivation: pending }, value: pending });
    });
    if (!changed.ok) return changed;
    const { verified, value: pending } = changed.value;
    const { nonce, requestedAt } = pending;
    const { record, keys } = verified.container;
    const signed = signDocument(
      DOCUMENT_TYPES.licenseRequest,
      {
        serial: serial.value,
        product: this.session.config.product,
        containerKey: record.containerKey,
        fingerprintHash: this.session.fingerprintHash,
        nonce,
        issuedAt: requestedAt,
        containerBoxKey: record.containerBoxKey,
        fingerprintParts: this.session.fingerprintParts,
        sequence: 0,
        consumed: verified.consumed,
      },
      keys.signer,
    );
    const file = encodeSealedFile(
      ACTIVATION_REQUEST_LABEL,
      { Serial: serial.value, Product: this.session.config.product },
      signed,
      vendorBox.value,
    );
    const code = encodeUnlockRequest(this.requestFacts(record, serial.value));
    return ok({ file, code: code.ok ? code.value : null, status: this.session.statusOf(verified) });
  }

  private requestFacts(record: ContainerRecord, serial: string) {
    return {
      product: this.session.config.product,
      serial,
      containerKey: record.containerKey,
      containerBoxKey: record.containerBoxKey,
      fingerprintParts: this.session.fingerprintParts,
    };
  }

  /**
   * Enters the Unlock Key, the file's text or the code read out on the phone: it must answer this
   * container's waiting request, signed by the vendor.
   */
  async unlock(text: string): Promise<Result<KeyStatus>> {
    const opened = await this.session.open();
    if (!opened.ok) return opened;
    const { record, keys } = opened.value.container;
    const pending = record.pendingActivation;
    if (pending === null && opened.value.terms !== null && record.state === 'active') {
      return refuse(
        'ALREADY_ACTIVATED',
        `This computer is already activated (serial ${opened.value.terms.grant.serial}); no Unlock Key is needed.`,
      );
    }
    if (pending === null || record.serial === null) {
      return refuse(
        'NOT_ACTIVATED',
        'No activation request is waiting for an Unlock Key on this computer: make one with `keyward key activate --offline SERIAL`.',
      );
    }
    const received = isArmored(text)
      ? this.unlockKeyFile(text, keys.box, record, pending.nonce)
      : this.unlockKeyCode(text, record, record.serial);
    if (!received.ok) return received;
    const changed = await this.session.change((current) =>
      current.container.record.pendingActivation?.nonce !== pending.nonce
        ? refuse('ANSWER_MISMATCH', 'A newer activation request was made meanwhile: enter its Unlock Key.')
        : ok({
            next: adoptGrant(current.container.record, received.value, this.session.now()),
            value: undefined,
          }),
    );
    return changed.ok ? ok(this.session.statusOf(changed.value.verified)) : changed;
  }

  private unlockKeyCode(text: string, record: ContainerRecord, serial: string): Result<ReceivedGrant> {
    const decoded = decodeShortCode(text);
    if (!decoded.ok) return decoded;
    const request = encodeUnlockRequest(this.requestFacts(record, serial));
    if (!request.ok) return request;
    const held: UnlockKeyGrant = {
      kind: 'unlock-code',
      serial,
      request: request.value,
      unlockKey: encodeShortCode(decoded.value),
    };
    const grant = readUnlockKey(
      held,
      { ...this.session.holderOf(record), serial },
      this.session.vendorKeys.all,
    );
    if (!grant.ok) {
      return grant.error.code === 'SIGNATURE_INVALID'
        ? refuse(
            'SIGNATURE_INVALID',
            `This Unlock Key is not the vendor's answer to this computer's request for serial ${serial}: check each group, and that the vendor used this request code.`,
          )
        : grant;
    }
    return ok({ envelope: held, grant: grant.value });
  }

  private unlockKeyFile(
    text: string,
    box: ContainerKeys['box'],
    record: ContainerRecord,
    nonce: string,
  ): Result<ReceivedGrant> {
    const sealed = openSealedFile(text, UNLOCK_KEY_LABEL, (kid) => (kid === box.kid ? box : undefined));
    if (!sealed.ok) {
      return sealed.error.code === 'WRONG_KEY'
        ? refuse('WRONG_KEY', 'This Unlock Key is for another computer.')
        : sealed;
    }
    const grant = openDocument(sealed.value, DOCUMENTS.licenseGrant, this.session.vendorKeys.byKid);
    if (!grant.ok) {
      return grant.error.code === 'UNKNOWN_KEY_ID'
        ? refuse('SIGNATURE_INVALID', "The Unlock Key is not signed by this product's vendor.")
        : grant;
    }
    const mismatch = grantMismatch(grant.value, {
      nonce,
      serial: record.serial ?? '',
      product: this.session.config.product,
      containerKey: record.containerKey,
      fingerprintHash: this.session.fingerprintHash,
    });
    if (mismatch !== undefined || grant.value.containerBoxKey !== record.containerBoxKey) {
      return refuse(
        'ANSWER_MISMATCH',
        'This Unlock Key answers another activation request: enter the one the vendor sent for the latest request.',
      );
    }
    const parsed = parseSignedEnvelope(sealed.value);
    return parsed.ok ? ok({ envelope: parsed.value, grant: grant.value }) : parsed;
  }
}

export interface ActivationRequest {
  /** The activation request file, for e-mail or fax. */
  readonly file: string;
  /** The same request as a code to read out on the phone. */
  readonly code: string | null;
  readonly status: KeyStatus;
}

type ReceivedGrant = Parameters<typeof adoptGrant>[1];

/** An Unlock Key file is armored text; anything else is taken for a code. */
function isArmored(text: string): boolean {
  return text.includes('-----BEGIN KEYWARD ');
}
