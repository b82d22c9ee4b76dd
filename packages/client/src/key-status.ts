import {
  type ContainerState,
  type ContainerView,
  daysBetween,
  type ErrorCode,
  type LicenceGrant,
  type Verdict,
} from '@keyward/core';
import type { ContainerRecord } from './container-record.js';

/** What the key status utility shows about the licence container on this computer. */
export interface KeyStatus {
  readonly product: string;
  readonly containerId: string;
  readonly formatVersion: number;
  readonly state: ContainerState;
  readonly serial: string | null;
  readonly revision: number;
  readonly sequence: number;
  readonly evaluation: { readonly startedAt: string; readonly days: number; readonly daysLeft: number };
  readonly licence: {
    readonly licenceId: string;
    readonly verification: string;
    readonly checkIntervalDays: number;
    readonly nextCheckAt: string | null;
    readonly expiresAt: string | null;
    readonly transfersUsed: number;
    readonly maxTransfers: number | null;
    readonly grantedAt: string;
  } | null;
  readonly verdict: { readonly kind: Verdict['kind']; readonly code?: ErrorCode; readonly message?: string };
  readonly lastRefusal: { readonly code: ErrorCode; readonly message: string } | null;
}

export function containerView(
  record: ContainerRecord,
  grant: LicenceGrant | null,
  evaluationDays: number,
): ContainerView {
  return {
    state: record.state,
    evaluationStartedAt: new Date(record.evaluationStartedAt),
    evaluationDays,
    lastSeenAt: new Date(record.lastSeenAt),
    grant:
      grant === null
        ? null
        : {
            verification: grant.verification,
            nextCheckAt: grant.nextCheckAt === null ? null : new Date(grant.nextCheckAt),
            expiresAt: grant.expiresAt === null ? null : new Date(grant.expiresAt),
          },
  };
}

export function keyStatus(
  record: ContainerRecord,
  grant: LicenceGrant | null,
  evaluationDays: number,
  verdict: Verdict,
  now: Date,
): KeyStatus {
  const used = daysBetween(new Date(record.evaluationStartedAt), now);
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
    licence:
      grant === null
        ? null
        : {
            licenceId: grant.licenceId,
            verification: record.state === 'frozen' ? 'frozen' : grant.verification,
            checkIntervalDays: grant.checkIntervalDays,
            nextCheckAt: grant.nextCheckAt,
            expiresAt: grant.expiresAt,
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
