import {
  DOCUMENT_TYPES,
  decideVerdict,
  fingerprintHash,
  grantMismatch,
  type LicenseGrant,
  ok,
  openSignedDocument,
  type Result,
  readLicenseGrant,
  refuse,
  type SignedEnvelope,
} from '@keyward/core';
import { AnchorFile } from './anchor.js';
import type { ContainerRecord } from './container-record.js';
import { ContainerStore, type OpenContainer, type SaveStage } from './container-store.js';
import { containerView, type KeyStatus, keyStatus } from './key-status.js';
import { productSlug, type SdkConfig, vendorVerifyKeys } from './sdk-config.js';
import { VendorApi } from './vendor-api.js';

export interface LicenseClientOptions {
  readonly config: SdkConfig;
  /** Directory of the license container file. */
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

/** A container opened and its vendor grant verified. */
export interface VerifiedContainer {
  readonly container: OpenContainer;
  readonly grant: LicenseGrant | null;
}

/** What every license operation of the SDK shares: the container on disk, the server, the vendor's keys. */
export class LicenseSession {
  readonly store: ContainerStore;
  readonly api: VendorApi;
  readonly vendorKey: ReturnType<typeof vendorVerifyKeys>;
  readonly now: () => Date;
  readonly fingerprintHash: string;
  readonly config: SdkConfig;

  constructor(options: LicenseClientOptions) {
    const slug = productSlug(options.config);
    this.config = options.config;
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

  /** Loads the container and verifies the vendor's grant inside it; an altered grant is tamper. */
  async open(): Promise<Result<VerifiedContainer>> {
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

  verifyGrant(envelope: SignedEnvelope, record: ContainerRecord, nonce?: string): Result<LicenseGrant> {
    const opened = openSignedDocument(envelope, DOCUMENT_TYPES.licenseGrant, this.vendorKey);
    if (!opened.ok) return opened;
    const grant = readLicenseGrant(opened.value);
    if (!grant.ok) return grant;
    const mismatch = grantMismatch(grant.value, {
      nonce: nonce ?? grant.value.nonce,
      serial: record.serial ?? grant.value.serial,
      product: this.config.product,
      containerKey: record.containerKey,
      fingerprintHash: this.fingerprintHash,
    });
    return mismatch === undefined
      ? grant
      : refuse('ANSWER_MISMATCH', `The license grant does not match this container (${mismatch}).`);
  }

  statusOf(container: OpenContainer, grant: LicenseGrant | null): KeyStatus {
    const now = this.now();
    const view = containerView(container.record, grant, this.config.evaluationDays);
    return keyStatus(container.record, grant, this.config.evaluationDays, decideVerdict(view, now), now);
  }
}
