import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type AnchorFacts,
  CONTAINER_FORMAT,
  decideIntegrity,
  type FileFacts,
  mergeConsumption,
  newId,
  ok,
  type Result,
  refuse,
} from '@keyward/core/license-container';
import type { AnchorFile, AnchorRecord } from './anchor.js';
import { readTextIfExists, type WriteStage, writeFileAtomic } from './atomic-file.js';
import {
  type ContainerKeys,
  type ContainerRecord,
  decodeContainerFile,
  encodeContainerFile,
  newContainerKeys,
  readContainerFile,
  unlockContainerKeys,
  vouchedContainerKeys,
} from './container-record.js';
import type { EvaluationMarker } from './evaluation-marker.js';

/** A container read from disk, its keys unlocked, with the hash of the file it came from. */
export interface OpenContainer {
  readonly record: ContainerRecord;
  readonly keys: ContainerKeys;
  readonly fileHash: string | undefined;
}

/** Where a save can be cut short in a fault-injection test. */
export type SaveStage = 'anchor-prepared' | `file-${WriteStage}` | 'anchor-committed';

export interface ContainerStoreOptions {
  readonly file: string;
  readonly anchor: AnchorFile;
  readonly marker: EvaluationMarker;
  readonly product: string;
  readonly fingerprint: string;
  readonly now: () => Date;
  readonly interrupt?: (stage: SaveStage) => void;
}

/** What a change to the container decides: the next record (none: nothing to write) and a value. */
export type ContainerChange<T> = { readonly next: ContainerRecord | undefined; readonly value: T };

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** A container file as the anchor may vouch for it: its hash, and its record when it reads. */
interface VouchedFile {
  readonly text: string;
  readonly hash: string;
  readonly record: ContainerRecord | undefined;
}

/** Another writer got in between a read and its save: read again and redo the change. */
class RevisionConflict extends Error {}

/** ISO-8601 UTC instants of one format compare as text. */
const latest = (...instants: string[]) => instants.sort().at(-1) as string;
const earliest = (...instants: string[]) => instants.sort()[0] as string;

/**
 * The license container on disk with its anchor. Every save raises the revision; the anchor
 * accepts the old and the new revision while the file is being replaced, so a crash at any point
 * leaves a file the anchor accepts, and only a restored or edited copy is tamper. Writers hold an
 * exclusive cross-process lock and compare the revision they read with the anchor's before they
 * write; readers take the lock only when what they read is not what the anchor vouches for.
 */
export class ContainerStore {
  private lastVouched: VouchedFile | undefined;

  constructor(private readonly options: ContainerStoreOptions) {}

  static fileFor(home: string, productSlug: string): string {
    return join(home, `${productSlug}.kwlic`);
  }

  /** The container as it is now; a first start, a deleted file or tamper is settled under the lock. */
  async load(): Promise<Result<OpenContainer>> {
    const anchor = await this.options.anchor.read();
    const text = await readTextIfExists(this.options.file);
    const vouched = text === undefined ? undefined : this.vouchedFor(anchor.facts, anchor.record, text);
    if (vouched !== undefined) return ok(vouched);
    return this.locked(() => this.loadLocked());
  }

  /**
   * The container, replacing one copied from another computer by a new one of this computer's
   * (its evaluation start and block carried over from this computer's anchor and marker): what
   * activating on this computer needs.
   */
  async reclaim(): Promise<Result<OpenContainer>> {
    return this.locked(() => this.loadLocked(true));
  }

  /**
   * Reads the container, applies `change` to it and saves the result, all under the lock, so
   * that several processes sharing the container never lose a write or see a half-made one.
   */
  async mutate<T>(
    change: (current: OpenContainer) => Result<ContainerChange<T>>,
  ): Promise<Result<{ readonly container: OpenContainer; readonly value: T }>> {
    return this.locked(async () => {
      for (let attempt = 0; ; attempt++) {
        const loaded = await this.loadLocked();
        if (!loaded.ok) return loaded;
        const changed = change(loaded.value);
        if (!changed.ok) return changed;
        const { next, value } = changed.value;
        try {
          const container = next === undefined ? loaded.value : await this.save(loaded.value, next);
          return ok({ container, value });
        } catch (error) {
          if (!(error instanceof RevisionConflict) || attempt >= 3) throw error;
        }
      }
    });
  }

  private async locked<T>(work: () => Promise<T>): Promise<T> {
    await mkdir(dirname(this.options.file), { recursive: true, mode: 0o700 });
    // Loaded when first needed: most starts read a container its anchor vouches for, unlocked.
    const { lock } = await import('proper-lockfile');
    const release = await lock(this.options.file, {
      realpath: false,
      lockfilePath: `${this.options.file}.lock`,
      stale: 10_000,
      retries: { retries: 400, minTimeout: 2, maxTimeout: 50, randomize: true },
    });
    try {
      return await work();
    } finally {
      await release();
    }
  }

  private async loadLocked(replaceForeign = false): Promise<Result<OpenContainer>> {
    const anchor = await this.options.anchor.read();
    const text = await readTextIfExists(this.options.file);
    const vouched = text === undefined ? undefined : this.vouchedFor(anchor.facts, anchor.record, text);
    if (vouched !== undefined) return ok(vouched);
    const decoded = text === undefined ? undefined : decodeContainerFile(text);
    const keys = decoded?.ok ? unlockContainerKeys(decoded.value, this.options.fingerprint) : undefined;
    let file: FileFacts = { kind: 'missing' };
    if (decoded !== undefined && text !== undefined) {
      if (!decoded.ok) file = { kind: 'unreadable' };
      else if (keys === undefined || !keys.ok) file = { kind: 'foreign' };
      else
        file = {
          kind: 'intact',
          revision: decoded.value.revision,
          hash: hashOf(text),
          containerKey: decoded.value.containerKey,
        };
    }
    const decision = decideIntegrity(anchor.facts, file);
    switch (decision) {
      case 'wrong-computer':
        if (!replaceForeign) return refuse('WRONG_COMPUTER');
        return ok(await this.startOver('recreate', anchor.record, undefined));
      case 'open':
        if (decoded?.ok && keys?.ok && text !== undefined) {
          return ok({
            record: withAnchorConsumption(decoded.value, anchor.record),
            keys: keys.value,
            fileHash: hashOf(text),
          });
        }
        throw new Error('An intact container file must have been read');
      case 'create':
      case 'recreate':
      case 'tamper': {
        const previous = decoded?.ok && keys?.ok ? { record: decoded.value, keys: keys.value } : undefined;
        return ok(await this.startOver(decision, anchor.record, previous));
      }
    }
  }

  /**
   * The common case, kept fast: the anchor names the hash of exactly these bytes, which only a
   * save on this computer writes, so the file's own signature and keys need no checking now.
   */
  private vouchedFor(
    anchor: AnchorFacts,
    anchorRecord: AnchorRecord | undefined,
    text: string,
  ): OpenContainer | undefined {
    if (anchor.kind !== 'present') return undefined;
    const file = this.readVouched(text);
    if (!anchor.accepted.some((entry) => entry.hash === file.hash)) return undefined;
    if (file.record === undefined) return undefined;
    const facts: FileFacts = {
      kind: 'intact',
      revision: file.record.revision,
      hash: file.hash,
      containerKey: file.record.containerKey,
    };
    if (decideIntegrity(anchor, facts) !== 'open') return undefined;
    return {
      record: withAnchorConsumption(file.record, anchorRecord),
      keys: vouchedContainerKeys(file.record, this.options.fingerprint),
      fileHash: file.hash,
    };
  }

  /**
   * The hash of a container file and, if it reads, its record: the last file's are kept, as the
   * same bytes read the same (an application checks its license again and again).
   */
  private readVouched(text: string): VouchedFile {
    if (this.lastVouched?.text !== text) {
      const read = readContainerFile(text, true);
      this.lastVouched = { text, hash: hashOf(text), record: read.ok ? read.value.record : undefined };
    }
    return this.lastVouched;
  }

  /** A new container (first run or deleted file), or the blocked one that tamper leaves behind. */
  private async startOver(
    decision: 'create' | 'recreate' | 'tamper',
    anchor: AnchorRecord | undefined,
    previous: { record: ContainerRecord; keys: ContainerKeys } | undefined,
  ): Promise<OpenContainer> {
    const now = this.options.now().toISOString();
    const marker = await this.options.marker.read();
    const evaluationStartedAt = earliest(
      now,
      anchor?.evaluationStartedAt ?? now,
      marker?.evaluationStartedAt ?? now,
      previous?.record.evaluationStartedAt ?? now,
    );
    const lastSeenAt = latest(
      now,
      anchor?.lastSeenAt ?? now,
      marker?.lastSeenAt ?? now,
      previous?.record.lastSeenAt ?? now,
    );
    const blocked = decision === 'tamper' || anchor?.blocked === true;
    const lastRevision = Math.max(
      previous?.record.revision ?? 0,
      ...(anchor?.accepted.map((entry) => entry.revision) ?? [0]),
    );
    let base: OpenContainer;
    if (previous !== undefined) {
      base = { ...previous, fileHash: undefined };
    } else {
      const containerId = newId('ctr');
      const keys = newContainerKeys(this.options.fingerprint, containerId);
      const record: ContainerRecord = {
        format: CONTAINER_FORMAT,
        containerId,
        product: this.options.product,
        ...keys,
        grant: null,
        updates: [],
        revision: lastRevision,
        state: 'evaluation',
        serial: null,
        evaluationStartedAt,
        lastSeenAt: now,
        consumed: anchor?.consumed ?? {},
        pendingActivation: null,
        lastRefusal: null,
      };
      const unlocked = unlockContainerKeys(record, this.options.fingerprint);
      if (!unlocked.ok) throw new Error('Keys just locked must unlock');
      base = { record, keys: unlocked.value, fileHash: undefined };
    }
    const record: ContainerRecord = {
      ...withAnchorConsumption(base.record, anchor),
      revision: lastRevision,
      evaluationStartedAt,
      lastSeenAt,
      state: blocked ? 'blocked' : base.record.state,
    };
    if (marker?.evaluationStartedAt !== evaluationStartedAt || marker.lastSeenAt < lastSeenAt) {
      await this.options.marker.write({ evaluationStartedAt, lastSeenAt });
    }
    return this.save({ ...base, record }, record);
  }

  /** Writes `next` as the new revision of `current`'s container; refused if another writer came first. */
  private async save(current: OpenContainer, next: ContainerRecord): Promise<OpenContainer> {
    if (current.fileHash !== undefined) {
      const anchor = await this.options.anchor.read();
      const expected = { revision: current.record.revision, hash: current.fileHash };
      const stillCurrent =
        anchor.facts.kind === 'present' &&
        anchor.facts.accepted.some(
          (entry) => entry.revision === expected.revision && entry.hash === expected.hash,
        );
      if (!stillCurrent) throw new RevisionConflict();
    }
    const record: ContainerRecord = { ...next, revision: current.record.revision + 1 };
    const text = encodeContainerFile(record, current.keys);
    const entry = { revision: record.revision, hash: hashOf(text) };
    const anchorOf = (accepted: AnchorRecord['accepted']): AnchorRecord => ({
      product: record.product,
      containerKey: record.containerKey,
      accepted,
      evaluationStartedAt: record.evaluationStartedAt,
      lastSeenAt: record.lastSeenAt,
      blocked: record.state === 'blocked',
      consumed: record.consumed,
    });
    const previous =
      current.fileHash === undefined ? [] : [{ revision: current.record.revision, hash: current.fileHash }];
    const interrupt = this.options.interrupt;
    if (record.lastSeenAt > current.record.lastSeenAt) await this.raiseMarker(record);
    await this.options.anchor.write(anchorOf([...previous, entry]));
    interrupt?.('anchor-prepared');
    await writeFileAtomic(this.options.file, text, interrupt && ((stage) => interrupt(`file-${stage}`)));
    await this.options.anchor.write(anchorOf([entry]));
    interrupt?.('anchor-committed');
    return { record, keys: current.keys, fileHash: entry.hash };
  }

  /**
   * The evaluation marker keeps the clock's high-water mark too, raised with the container's (at
   * most every few minutes, and at refused starts), so that deleting the file and the anchor does
   * not forget a time already seen: winding the clock back after it is still caught.
   */
  private async raiseMarker(record: ContainerRecord): Promise<void> {
    const marker = await this.options.marker.read();
    if (marker !== undefined && marker.lastSeenAt >= record.lastSeenAt) return;
    await this.options.marker.write({
      evaluationStartedAt: earliest(
        record.evaluationStartedAt,
        marker?.evaluationStartedAt ?? record.evaluationStartedAt,
      ),
      lastSeenAt: record.lastSeenAt,
    });
  }
}

/** Consumption only grows: what the anchor remembers stands even if the file says less. */
function withAnchorConsumption(record: ContainerRecord, anchor: AnchorRecord | undefined): ContainerRecord {
  if (anchor === undefined) return record;
  return { ...record, consumed: mergeConsumption(record.consumed, anchor.consumed) };
}
