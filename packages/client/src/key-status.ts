import {
  type ContainerContents,
  type ContainerState,
  counterRemaining,
  daysBetween,
  type ReceivedErrorCode,
  type UnreachableVerdict,
  type Verdict,
} from '@keyward/core/license-container';
import type { VerifiedContainer } from './license-session.js';

/** What the key status utility shows about the license container on this computer. */
export interface KeyStatus {
  readonly product: string;
  readonly containerId: string;
  readonly formatVersion: number;
  readonly state: ContainerState;
  readonly serial: string | null;
  readonly revision: number;
  /** Update step of the vendor's terms: raised by every applied update. */
  readonly sequence: number;
  readonly evaluation: { readonly startedAt: string; readonly days: number; readonly daysLeft: number };
  /** The vendor-signed terms; empty before activation. */
  readonly contents: {
    readonly items: ContainerContents['items'];
    readonly expiresAt: string | null;
    /** Uses left of each counter: the vendor's allowance less what was consumed. */
    readonly counters: Readonly<Record<string, number>>;
    readonly consumed: Readonly<Record<string, number>>;
    readonly passwords: readonly string[];
    readonly memory: ReadonlyArray<{ readonly name: string; readonly bytes: number }>;
    readonly verification: ContainerContents['verification'] | 'frozen';
  };
  readonly license: {
    readonly bindingId: string;
    readonly checkIntervalDays: number;
    readonly nextCheckAt: string | null;
    readonly graceDays: number;
    readonly transfersUsed: number;
    readonly maxTransfers: number | null;
    readonly grantedAt: string;
  } | null;
  /** An offline activation request awaiting its Unlock Key: the application asks for it at start. */
  readonly pendingActivation: { readonly requestedAt: string } | null;
  readonly verdict: {
    readonly kind: Verdict['kind'] | 'grace';
    readonly code?: ReceivedErrorCode;
    readonly message?: string;
    readonly daysLeft?: number;
    /** In grace: when it ends. */
    readonly until?: string;
  };
  readonly lastRefusal: { readonly code: ReceivedErrorCode; readonly message: string } | null;
}

export function keyStatus(
  verified: VerifiedContainer,
  evaluationDays: number,
  verdict: Verdict | UnreachableVerdict,
  now: Date,
): KeyStatus {
  const { record } = verified.container;
  const { terms, consumed } = verified;
  const used = daysBetween(new Date(record.evaluationStartedAt), now);
  const contents = terms?.contents;
  const allowances = contents?.counters ?? {};
  const grant = terms?.grant;
  return {
    product: record.product,
    containerId: record.containerId,
    formatVersion: record.format,
    state: record.state,
    serial: grant?.serial ?? record.serial,
    revision: record.revision,
    sequence: terms?.sequence ?? 0,
    evaluation: {
      startedAt: record.evaluationStartedAt,
      days: evaluationDays,
      daysLeft: Math.max(0, Math.ceil(evaluationDays - used)),
    },
    contents: {
      items: contents?.items ?? {},
      expiresAt: contents?.expiresAt ?? null,
      counters: Object.fromEntries(
        Object.entries(allowances).map(([name, allowance]) => [
          name,
          counterRemaining(allowance, consumed[name] ?? 0),
        ]),
      ),
      consumed,
      passwords: Object.keys(contents?.passwords ?? {}).sort(),
      memory: Object.entries(contents?.memory ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, data]) => ({ name, bytes: Buffer.from(data, 'base64').length })),
      verification: record.state === 'frozen' ? 'frozen' : (contents?.verification ?? 'ongoing'),
    },
    license:
      grant === undefined
        ? null
        : {
            bindingId: grant.bindingId,
            checkIntervalDays: grant.checkIntervalDays,
            nextCheckAt: grant.nextCheckAt,
            graceDays: grant.graceDays,
            transfersUsed: grant.transfersUsed,
            maxTransfers: grant.maxTransfers,
            grantedAt: grant.issuedAt,
          },
    pendingActivation:
      record.pendingActivation === null ? null : { requestedAt: record.pendingActivation.requestedAt },
    verdict:
      verdict.kind === 'denied'
        ? { kind: verdict.kind, code: verdict.error.code, message: verdict.error.message }
        : verdict.kind === 'evaluation'
          ? { kind: verdict.kind, daysLeft: verdict.daysLeft }
          : verdict.kind === 'grace'
            ? { kind: verdict.kind, daysLeft: verdict.daysLeft, until: verdict.until.toISOString() }
            : { kind: verdict.kind },
    lastRefusal: record.lastRefusal,
  };
}
