import {
  type ContainerContents,
  counterRemaining,
  emptyContents,
  ok,
  verifyPassword as passwordMatches,
  type Result,
  refuse,
} from '@keyward/core';
import type { LicenseSession, VerifiedContainer } from './license-session.js';

/** What the licensed application reads and consumes in its license container: the vendor's terms. */
export class KeyContents {
  constructor(private readonly session: LicenseSession) {}

  /** Licensed items and their seat counts, e.g. `{ cad: { servers: 2, nodes: 10 } }`. */
  async items(): Promise<Result<ContainerContents['items']>> {
    const read = await this.read();
    return read.ok ? ok(read.value.contents.items) : read;
  }

  /** Seats of one kind of one item; 0 when the item has none of that kind. */
  async seats(item: string, kind: string): Promise<Result<number>> {
    const read = await this.read();
    return read.ok ? ok(read.value.contents.items[item]?.[kind] ?? 0) : read;
  }

  /** Uses left of a counter: the vendor's allowance less what was consumed, here and on earlier computers. */
  async counter(name: string): Promise<Result<number>> {
    const read = await this.read();
    if (!read.ok) return read;
    return remainingOf(read.value, name);
  }

  /**
   * Uses up `by` of a usage counter (one run, one export...); refused, changing nothing, when too
   * few are left. Read, check and record happen under the container's lock, so several
   * processes never lose a use.
   */
  async decrementCounter(name: string, by = 1): Promise<Result<number>> {
    if (!Number.isSafeInteger(by) || by < 1)
      return refuse('VALIDATION_FAILED', 'A counter is used up by a whole number of at least 1.');
    const changed = await this.session.change((current) => {
      if (current.container.record.state === 'blocked') return refuse('TAMPER_DETECTED');
      const remaining = remainingOf(contentsOf(current), name);
      if (!remaining.ok) return remaining;
      if (remaining.value < by) {
        return refuse(
          'COUNTER_EXHAUSTED',
          `The counter "${name}" has ${remaining.value} uses left; ${by} were asked for.`,
          {
            remaining: remaining.value,
          },
        );
      }
      const { record } = current.container;
      return ok({
        next: { ...record, consumed: { ...current.consumed, [name]: (current.consumed[name] ?? 0) + by } },
        value: remaining.value - by,
      });
    });
    return changed.ok ? ok(changed.value.value) : changed;
  }

  /** Checks an application password against its stored hash. */
  async verifyPassword(name: string, password: string): Promise<Result<boolean>> {
    const read = await this.read();
    if (!read.ok) return read;
    const hash = read.value.contents.passwords[name];
    if (hash === undefined) return refuse('NAME_NOT_FOUND', `The key has no password "${name}".`);
    return ok(passwordMatches(password, hash));
  }

  /** The bytes of a memory object (a license key, a configuration blob...). */
  async readMemory(name: string): Promise<Result<Buffer>> {
    const read = await this.read();
    if (!read.ok) return read;
    const data = read.value.contents.memory[name];
    return data === undefined
      ? refuse('NAME_NOT_FOUND', `The key has no memory object "${name}".`)
      : ok(Buffer.from(data, 'base64'));
  }

  private async read(): Promise<Result<Held>> {
    const opened = await this.session.open();
    if (!opened.ok) return opened;
    if (opened.value.container.record.state === 'blocked') return refuse('TAMPER_DETECTED');
    return ok(contentsOf(opened.value));
  }
}

interface Held {
  readonly contents: ContainerContents;
  readonly consumed: Readonly<Record<string, number>>;
}

/** The vendor's terms, or nothing licensed yet. */
function contentsOf(verified: VerifiedContainer): Held {
  return { contents: verified.terms?.contents ?? emptyContents(), consumed: verified.consumed };
}

function remainingOf(held: Held, name: string): Result<number> {
  const allowance = held.contents.counters[name];
  if (allowance === undefined) return refuse('NAME_NOT_FOUND', `The key has no counter "${name}".`);
  return ok(counterRemaining(allowance, held.consumed[name] ?? 0));
}
