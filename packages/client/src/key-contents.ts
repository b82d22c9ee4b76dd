import {
  applyOperations,
  type ContainerContents,
  ok,
  verifyPassword as passwordMatches,
  type Result,
  refuse,
} from '@keyward/core';
import type { LicenseSession } from './license-session.js';

/** What the licensed application reads and consumes in its license container. */
export class KeyContents {
  constructor(private readonly session: LicenseSession) {}

  /** Licensed items and their seat counts, e.g. `{ cad: { servers: 2, nodes: 10 } }`. */
  async items(): Promise<Result<ContainerContents['items']>> {
    const contents = await this.read();
    return contents.ok ? ok(contents.value.items) : contents;
  }

  /** Seats of one kind of one item; 0 when the item has none of that kind. */
  async seats(item: string, kind: string): Promise<Result<number>> {
    const contents = await this.read();
    return contents.ok ? ok(contents.value.items[item]?.[kind] ?? 0) : contents;
  }

  async counter(name: string): Promise<Result<number>> {
    const contents = await this.read();
    if (!contents.ok) return contents;
    const value = contents.value.counters[name];
    return value === undefined ? refuse('NAME_NOT_FOUND', `The key has no counter "${name}".`) : ok(value);
  }

  /** Uses up `by` of a usage counter (one run, one export...); refused, changing nothing, when too few are left. */
  async decrementCounter(name: string, by = 1): Promise<Result<number>> {
    const opened = await this.session.open();
    if (!opened.ok) return opened;
    const { container } = opened.value;
    if (container.record.state === 'blocked') return refuse('TAMPER_DETECTED');
    const contents = applyOperations(container.record.contents, [{ op: 'decrement-counter', name, by }]);
    if (!contents.ok) return contents;
    await this.session.store.save(container, { ...container.record, contents: contents.value });
    return ok(contents.value.counters[name] ?? 0);
  }

  /** Checks an application password against its stored hash. */
  async verifyPassword(name: string, password: string): Promise<Result<boolean>> {
    const contents = await this.read();
    if (!contents.ok) return contents;
    const hash = contents.value.passwords[name];
    if (hash === undefined) return refuse('NAME_NOT_FOUND', `The key has no password "${name}".`);
    return ok(passwordMatches(password, hash));
  }

  /** The bytes of a memory object (a license key, a configuration blob...). */
  async readMemory(name: string): Promise<Result<Buffer>> {
    const contents = await this.read();
    if (!contents.ok) return contents;
    const data = contents.value.memory[name];
    return data === undefined
      ? refuse('NAME_NOT_FOUND', `The key has no memory object "${name}".`)
      : ok(Buffer.from(data, 'base64'));
  }

  private async read(): Promise<Result<ContainerContents>> {
    const opened = await this.session.open();
    if (!opened.ok) return opened;
    const { record } = opened.value.container;
    return record.state === 'blocked' ? refuse('TAMPER_DETECTED') : ok(record.contents);
  }
}
