import {
  type ContainerView,
  decideUnreachable,
  decideVerdict,
  fingerprintHash,
  fingerprintPartHashes,
  type HeldGrant,
  heldSignatureChecks,
  keywardError,
  type LicenseGrant,
  type LicenseTerms,
  laterInstant,
  localSecretOf,
  mergeConsumption,
  ok,
  type Result,
  refuse,
  type SignatureCheck,
  signatureHolds,
  type TermsHolder,
  type VendorKeys,
  type Verified,
  verifyTerms,
} from '@keyward/core/license-container';
import { AnchorFile } from './anchor.js';
import type { ContainerRecord } from './container-record.js';
import {
  type ContainerChange,
  ContainerStore,
  type OpenContainer,
  type SaveStage,
} from './container-store.js';
import { EvaluationMarker } from './evaluation-marker.js';
import { type KeyStatus, keyStatus } from './key-status.js';
import { productSlug, type SdkConfig, vendorVerifyKeys } from './sdk-config.js';
import { VendorApi } from './vendor-api.js';

export interface LicenseClientOptions {
  readonly config: SdkConfig;
  /** Directory of the license container file. */
  readonly home: string;
  /** Directory of the anti-rollback anchor: somewhere else than `home`. */
  readonly anchorDir: string;
  /** Directory of the evaluation marker: a third place, apart from `home` and `anchorDir`. */
  readonly markerDir: string;
  /** This computer's fingerprint (see `computeFingerprint`). */
  readonly fingerprint: string;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
  /** Attempts per online request (network failures, 5xx and 429 only). */
  readonly attempts?: number;
  /** The most one online request may take, retries and their waits included (30 s). */
  readonly deadlineMs?: number;
  readonly interrupt?: (stage: SaveStage) => void;
}

/** A container opened and the vendor's terms in it verified. */
export interface VerifiedContainer {
  readonly container: OpenContainer;
  /** The vendor-signed terms; null before activation or after a transfer. */
  readonly terms: LicenseTerms | null;
  /** Uses of each counter consumed: this container's record and the vendor's, whichever is more. */
  readonly consumed: Readonly<Record<string, number>>;
}

/** What every license operation of the SDK shares: the container on disk, the server, the vendor's keys. */
export class LicenseSession {
  readonly store: ContainerStore;
  readonly api: VendorApi;
  readonly vendorKeys: VendorKeys;
  readonly now: () => Date;
  readonly fingerprintHash: string;
  readonly fingerprintParts: Readonly<Record<string, string>>;
  readonly config: SdkConfig;
  /** The terms verified last, and the signatures to verify again when the same documents come back. */
  private lastTerms:
    | {
        readonly grant: HeldGrant;
        readonly updates: ContainerRecord['updates'];
        readonly containerKey: string;
        readonly containerBoxKey: string;
        readonly signatures: readonly SignatureCheck[];
        readonly terms: LicenseTerms;
      }
    | undefined;

  constructor(options: LicenseClientOptions) {
    const slug = productSlug(options.config);
    // The files on disk are keyed by the machine part only: one hardware change still opens them.
    const localSecret = localSecretOf(options.fingerprint);
    this.config = options.config;
    this.now = options.now ?? (() => new Date());
    this.store = new ContainerStore({
      file: ContainerStore.fileFor(options.home, slug),
      anchor: new AnchorFile(options.anchorDir, slug, localSecret),
      marker: new EvaluationMarker(options.markerDir, slug, localSecret),
      product: options.config.product,
      fingerprint: localSecret,
      now: this.now,
      interrupt: options.interrupt,
    });
    this.api = new VendorApi({
      serverUrl: options.config.serverUrl,
      attempts: options.attempts,
      deadlineMs: options.deadlineMs,
      fetch: options.fetch,
    });
    this.vendorKeys = vendorVerifyKeys(options.config);
    this.fingerprintHash = fingerprintHash(options.config.product, options.fingerprint);
    this.fingerprintParts = fingerprintPartHashes(options.config.product, options.fingerprint);
  }

  holderOf(record: ContainerRecord): TermsHolder {
    return {
      product: this.config.product,
      containerKey: record.containerKey,
      containerBoxKey: record.containerBoxKey,
      fingerprintHash: this.fingerprintHash,
      fingerprintParts: this.fingerprintParts,
    };
  }

  /**
   * Loads the container and verifies the vendor's terms in it, at every start. Terms that do not
   * verify were edited: the license is blocked. Terms signed with a vendor key this application
   * no longer ships are dropped, and the next start asks the server for new ones.
   */
  async open(): Promise<Result<VerifiedContainer>> {
    const loaded = await this.store.load();
    if (!loaded.ok) return loaded;
    const verified = this.verify(loaded.value);
    if (verified.ok || verified.error.code === 'WRONG_COMPUTER') return verified;
    const settled = await this.store.mutate((current) => {
      const again = this.verify(current);
      if (again.ok || again.error.code === 'WRONG_COMPUTER') return ok({ next: undefined, value: again });
      const next: ContainerRecord =
        again.error.code === 'UNKNOWN_KEY_ID'
          ? { ...current.record, state: 'frozen', grant: null, updates: [] }
          : { ...current.record, state: 'blocked' };
      return ok({ next, value: again });
    });
    if (!settled.ok) return settled;
    return settled.value.value.ok
      ? settled.value.value
      : ok({
          container: settled.value.container,
          terms: null,
          consumed: settled.value.container.record.consumed,
        });
  }

  /** The key status, read offline. The first call on a computer starts the evaluation. */
  async status(): Promise<Result<KeyStatus>> {
    const opened = await this.open();
    if (!opened.ok) return opened;
    return ok(this.statusOf(opened.value));
  }

  /**
   * The container as activation on this computer needs it: one copied from another computer is
   * replaced by a new one, and a grant made for another computer is dropped (frozen: it is not
   * licensed here), so that the serial can be activated here.
   */
  async reclaim(): Promise<Result<VerifiedContainer>> {
    const reclaimed = await this.store.reclaim();
    if (!reclaimed.ok) return reclaimed;
    const verified = this.verify(reclaimed.value);
    if (verified.ok || verified.error.code !== 'WRONG_COMPUTER') return verified;
    const moved = await this.store.mutate((current) =>
      ok({ next: { ...current.record, grant: null, updates: [], state: 'frozen' }, value: undefined }),
    );
    if (!moved.ok) return moved;
    return this.verify(moved.value.container);
  }

  /** The vendor's terms in a container, verified; none before activation. */
  verify(container: OpenContainer): Result<VerifiedContainer> {
    const { record } = container;
    if (record.grant === null || record.state === 'blocked') {
      return ok({ container, terms: null, consumed: record.consumed });
    }
    const terms = this.verifiedTerms(record, record.grant);
    if (!terms.ok) return terms;
    return ok({
      container,
      terms: terms.value,
      consumed: mergeConsumption(record.consumed, terms.value.grant.consumed),
    });
  }

  /**
   * The vendor's terms in a record. Documents that are the very ones read last time (the same
   * objects, from the same container file) are not read again, but their vendor signatures are
   * verified again, every time: what the application acts on is always what the vendor signed.
   */
  private verifiedTerms(record: ContainerRecord, grant: HeldGrant): Result<LicenseTerms> {
    const last = this.lastTerms;
    if (
      last !== undefined &&
      last.grant === grant &&
      last.updates === record.updates &&
      last.containerKey === record.containerKey &&
      last.containerBoxKey === record.containerBoxKey &&
      last.signatures.every(signatureHolds)
    ) {
      return ok(last.terms);
    }
    const held = { grant, updates: record.updates };
    const terms = verifyTerms(held, this.holderOf(record), this.vendorKeys);
    const signatures = terms.ok ? heldSignatureChecks(held, this.vendorKeys) : undefined;
    this.lastTerms =
      terms.ok && signatures !== undefined
        ? {
            grant,
            updates: record.updates,
            containerKey: record.containerKey,
            containerBoxKey: record.containerBoxKey,
            signatures,
            terms: terms.value,
          }
        : undefined;
    return terms;
  }

  /** The vendor's X25519 key, to which request files are sealed. */
  vendorBoxKey(): Result<{ kid: string; publicKey: string }> {
    const key = this.config.vendorKeys.findLast((candidate) => candidate.kind === 'x25519');
    return key === undefined
      ? refuse('CONFIG_INVALID', 'The SDK configuration holds no vendor encryption key (x25519).')
      : ok({ kid: key.kid, publicKey: key.publicKey });
  }

  /** Changes the container under its lock, from its verified state read afresh. */
  async change<T>(
    change: (current: VerifiedContainer) => Result<ContainerChange<T>>,
  ): Promise<Result<{ readonly verified: VerifiedContainer; readonly value: T }>> {
    let before: VerifiedContainer | undefined;
    const changed = await this.store.mutate((current) => {
      const verified = this.verify(current);
      if (!verified.ok) return verified;
      before = verified.value;
      return change(verified.value);
    });
    if (!changed.ok) return changed;
    const { container } = changed.value;
    // A change that kept the vendor's documents as they were keeps their verified terms too.
    const sameDocuments =
      before !== undefined &&
      before.terms !== null &&
      container.record.state !== 'blocked' &&
      container.record.grant === before.container.record.grant &&
      container.record.updates === before.container.record.updates;
    const verified =
      sameDocuments && before?.terms
        ? ok({
            container,
            terms: before.terms,
            consumed: mergeConsumption(container.record.consumed, before.terms.grant.consumed),
          })
        : this.verify(container);
    return verified.ok ? ok({ verified: verified.value, value: changed.value.value }) : verified;
  }

  view(verified: VerifiedContainer): ContainerView {
    const { record } = verified.container;
    const grant = verified.terms?.grant;
    return {
      state: record.state,
      evaluationStartedAt: new Date(record.evaluationStartedAt),
      evaluationDays: this.config.evaluationDays,
      lastSeenAt: new Date(record.lastSeenAt),
      terms:
        verified.terms === null || grant === undefined
          ? null
          : {
              verification: verified.terms.contents.verification,
              nextCheckAt: grant.nextCheckAt === null ? null : new Date(grant.nextCheckAt),
              expiresAt:
                verified.terms.contents.expiresAt === null
                  ? null
                  : new Date(verified.terms.contents.expiresAt),
              graceDays: grant.graceDays,
            },
    };
  }

  statusOf(verified: VerifiedContainer): KeyStatus {
    const now = this.now();
    const verdict = decideVerdict(this.view(verified), now);
    // In grace the check is due and the server was not reached: say how long grace lasts, or that it ended.
    const inGrace =
      verdict.kind === 'check-online' && verified.container.record.state === 'grace'
        ? decideUnreachable(verdict, 'grace', now, keywardError('NETWORK_UNAVAILABLE'))
        : undefined;
    return keyStatus(verified, this.config.evaluationDays, inGrace ?? verdict, now);
  }
}

/** A verified grant replaces the terms: its contents and step are the vendor's latest. */
export function adoptGrant(
  record: ContainerRecord,
  received: { readonly envelope: HeldGrant; readonly grant: Verified<LicenseGrant> },
  now: Date,
): ContainerRecord {
  return {
    ...record,
    grant: received.envelope,
    updates: [],
    state: 'active',
    serial: received.grant.serial,
    consumed: mergeConsumption(record.consumed, received.grant.consumed),
    pendingActivation: null,
    lastRefusal: null,
    lastSeenAt: laterInstant(record.lastSeenAt, now.toISOString()),
  };
}
