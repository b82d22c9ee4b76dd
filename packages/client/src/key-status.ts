import {
  type ContainerContents,
  type ContainerState,
  type ContainerView,
  daysBetween,
  type ErrorCode,
  type LicenseGrant,
  type Verdict,
} from '@keyward/core';
import type { ContainerRecord } from './container-record.js';

/** What the key status utility shows about the license container on this computer. */
export interface KeyStatus {
  readonly product: string;
  readonly containerId: string;
  readonly formatVersion: number;
  readonly state: ContainerState;
  readonly serial: string | null;
  readonly revision: number;
  /** Update step: raised by every applied update package. */
  readonly sequence: number;
  readonly evaluation: { readonly startedAt: string; readonly days: number; readonly daysLeft: number };
  readonly contents: {
    readonly items: ContainerContents['items'];
    readonly expiresAt: string | null;
    readonly counters: ContainerContents['counters'];
    readonly passwords: readonly string[];
    readonly memory: ReadonlyArray<{ readonly name: string; readonly bytes: number }>;
    readonly verification: ContainerContents['verification'] | 'frozen';
  };
  readonly license: {
    readonly licenseId: string;
    readonly checkIntervalDays: number;
    readonly nextCheckAt: string | null;
    readonly transfersUsed: number;
    readonly maxTransfers: number | null;
    readonly grantedAt: string;
  } | null;
  readonly verdict: { readonly kind: Verdict['kind']; readonly code?: ErrorCode; readonly message?: string };
  readonly lastRefusal: { readonly code: ErrorCode; readonly message: string } | null;
}

/**
 * The facts the start-up verdict is taken on. Expiry and verification mode come from the
 * contents (update packages change them); the next online check from the vendor's grant.
 */
export function containerView(
  record: ContainerRecord,
  grant: LicenseGrant | null,
  evaluationDays: number,
): ContainerView {
  const { expiresAt, verification } = record.contents;
  return {
    state: record.state,
    evaluationStartedAt: new Date(record.evaluationStartedAt),
    evaluationDays,
    lastSeenAt: new Date(record.lastSeenAt),
    grant:
      grant === null
        ? null
        : {
            verification,
            nextCheckAt: grant.nextCheckAt === null ? null : new Date(grant.nextCheckAt),
            expiresAt: expiresAt === null ? null : new Date(expiresAt),
          },
  };
}

export function keyStatus(
  record: ContainerRecord,
  grant: LicenseGrant | null,
  evaluationDays: number,
  verdict: Verdict,
  now: Date,
): KeyStatus {
  const used = daysBetween(new Date(record.evaluationStartedAt), now);
  const { contents } = record;
  return {
    product: record.product,
    containerId: record.containerId,
    formatVersion: record.format,
    state: record.state,
    serial: record.serial,
    revision: record.revision,
    sequence: record.sequence,
    evaluation: {
      startedAt: record.evaluationStartedAt,
      days: evaluationDays,
      daysLeft: Math.max(0, Math.ceil(evaluationDays - used)),
    },
    contents: {
      items: contents.items,
      expiresAt: contents.expiresAt,
      counters: contents.counters,
      passwords: Object.keys(contents.passwords).sort(),
      memory: Object.keys(contents.memory)
        .sort()
        .map((name) => ({ name, bytes: Buffer.from(contents.memory[name] ?? '', 'base64').length })),
      verification: record.state === 'frozen' ? 'frozen' : contents.verification,
    },
    license:
      grant === null
        ? null
        : {
            licenseId: grant.licenseId,
            checkIntervalDays: grant.checkIntervalDays,
            nextCheckAt: grant.nextCheckAt,
            transfersUsed: grant.transfersUsed,
            maxTransfers: grant.maxTransfers,
            grantedAt: grant.issuedAt,
          },
    verdict:
      verdict.kind === 'denied'
        ? { kind: verdict.kind, code: verdict.error.code, message: verdict.error.message }
        : { kind: verdict.kind },
    lastRefusal: record.lastRefusal,
  };
}
