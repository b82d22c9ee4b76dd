import type { KeyStatus } from '@keyward/client';
import { expiryWording } from '@keyward/core/license-container';
import { table } from './output.js';

export function describeVerdict(status: KeyStatus): string {
  switch (status.verdict.kind) {
    case 'evaluation':
      return status.pendingActivation === null
        ? `Evaluation: ${status.evaluation.daysLeft} of ${status.evaluation.days} days left.`
        : `Evaluation: ${status.evaluation.daysLeft} of ${status.evaluation.days} days left. Waiting for the Unlock Key: enter it with keyward key unlock <file>.`;
    case 'licensed':
      return 'Licensed: the application may run.';
    case 'grace':
      return `In the grace period: ${status.verdict.daysLeft} day(s) left, until ${status.verdict.until?.slice(0, 10)}. The license server could not be reached at the last due check; it is asked again at the next start.`;
    case 'check-online':
      if (status.state === 'releasing')
        return 'Releasing the serial for a transfer: the transfer finishes at the next start online.';
      if (status.state === 'frozen')
        return status.lastRefusal === null
          ? 'Frozen: the serial was released from this computer. Activate it again to use it here.'
          : `Frozen: ${status.lastRefusal.message} The license server is asked again at the next start.`;
      return 'An online check is due at the next start.';
    case 'denied':
      return `Denied: ${status.verdict.message ?? status.verdict.code ?? ''}`;
  }
}

/** One label, then one line per entry, the way the key status utility lists them. */
function listed(label: string, lines: readonly string[]): Array<readonly [string, string]> {
  return lines.length === 0
    ? [[label, 'none']]
    : lines.map((line, index) => [index === 0 ? label : '', line] as const);
}

/** The key status utility's view of a license container. */
export function formatStatus(status: KeyStatus): string {
  const { license, contents } = status;
  const sorted = <T>(record: Readonly<Record<string, T>>) =>
    Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
  const items = sorted(contents.items).map(
    ([item, seats]) =>
      `${item}: ${sorted(seats)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', ')}`,
  );
  return table([
    ['Product', status.product],
    ['Serial', status.serial ?? '(none: evaluation)'],
    ['State', status.state],
    ['Format version', String(status.formatVersion)],
    ['Container', `${status.containerId} (revision ${status.revision})`],
    ['Update step', String(status.sequence)],
    ...(license === null
      ? ([
          [
            'Evaluation',
            `started ${status.evaluation.startedAt.slice(0, 10)}, ${status.evaluation.daysLeft} of ${status.evaluation.days} days left`,
          ],
        ] as const)
      : []),
    ...(license === null
      ? []
      : ([
          ['Verification', `${contents.verification}, every ${license.checkIntervalDays} days`],
          ['Next online check', license.nextCheckAt ?? 'none'],
          ['Grace period', `${license.graceDays} days when the server cannot be reached`],
          ['Transfers', `${license.transfersUsed} of ${license.maxTransfers ?? 'unlimited'}`],
        ] as const)),
    ['Expires', expiryWording(contents.expiresAt)],
    ...listed('Items', items),
    ...listed(
      'Counters',
      Object.entries(contents.counters).map(([name, value]) => `${name} ${value}`),
    ),
    ...listed('Passwords', contents.passwords),
    ...listed(
      'Memory objects',
      contents.memory.map((object) => `${object.name} (${object.bytes} bytes)`),
    ),
    ...(status.pendingActivation === null
      ? []
      : ([
          ['Unlock Key', `requested ${status.pendingActivation.requestedAt.slice(0, 10)}, not yet entered`],
        ] as const)),
    ...(status.lastRefusal === null ? [] : ([['Last refusal', status.lastRefusal.message]] as const)),
    ['Verdict', describeVerdict(status)],
  ]);
}
