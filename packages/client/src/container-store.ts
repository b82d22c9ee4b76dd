import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  type AnchorFacts,
  decideIntegrity,
  emptyContents,
  type FileFacts,
  newId,
  ok,
  type Result,
  refuse,
} from '@keyward/core';
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
  readonly product: string;
  readonly fingerprint: string;
  readonly now: () => Date;
  readonly interrupt?: (stage: SaveStage) => void;
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The license container on disk with its anchor. Every save raises the revision; the anchor
 * accepts the old and the new revision while the file is being replaced, so a crash at any point
 * leaves a file the anchor accepts, and only a restored or edited copy is tamper.
 */
export class ContainerStore {
  constructor(private readonly options: ContainerStoreOptions) {}

  static fileFor(home: string, productSlug: string): string {
    return join(home, `${productSlug}.kwlic`);
  }

  async load(): Promise<Result<OpenContainer>> {
    const anchor = await this.options.anchor.read();
    const text = await readTextIfExists(this.options.file);
    const vouched = text === undefined ? undefined : this.vouchedFor(anchor.facts, text);
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
        return refuse('WRONG_COMPUTER');
      case 'open':
        if (decoded?.ok && keys?.ok && text !== undefined) {
          return ok({ record: decoded.value, keys: keys.value, fileHash: hashOf(text) });
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
  private vouchedFor(anchor: AnchorFacts, text: string): OpenContainer | undefined {
    if (anchor.kind !== 'present') return undefined;
    const hash = hashOf(text);
    if (!anchor.accepted.some((entry) => entry.hash === hash)) return undefined;
    const read = readContainerFile(text, true);
    if (!read.ok) return undefined;
    const { record } = read.value;
    const facts: FileFacts = {
      kind: 'intact',
      revision: record.revision,
      hash,
      containerKey: record.containerKey,
    };
    if (decideIntegrity(anchor, facts) !== 'open') return undefined;
    return { record, keys: vouchedContainerKeys(record, this.options.fingerprint), fileHash: hash };
  }

  /** A new container (first run or deleted file), or the blocked one that tamper leaves behind. */
  private async startOver(
    decision: 'create' | 'recreate' | 'tamper',
    anchor: AnchorRecord | undefined,
    previous: { record: ContainerRecord; keys: ContainerKeys } | undefined,
  ): Promise<OpenContainer> {
    const now = this.options.now().toISOString();
    const evaluationStartedAt = anchor?.evaluationStartedAt ?? previous?.record.evaluationStartedAt ?? now;
    // ISO-8601 UTC instants of one format compare as text.
    const lastSeenAt =
      [now, anchor?.lastSeenAt ?? now, previous?.record.lastSeenAt ?? now].sort().at(-1) ?? now;
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
        format: 1,
        containerId,
        product: this.options.product,
        revision: lastRevision,
        sequence: 0,
        contents: emptyContents(),
        appliedPackages: [],
        state: 'evaluation',
        serial: null,
        evaluationStartedAt,
        lastSeenAt: now,
        grant: null,
        lastRefusal: null,
        ...keys,
      };
      const unlocked = unlockContainerKeys(record, this.options.fingerprint);
      if (!unlocked.ok) throw new Error('Keys just locked must unlock');
      base = { record, keys: unlocked.value, fileHash: undefined };
    }
    const record: ContainerRecord = {
      ...base.record,
      revision: lastRevision,
      evaluationStartedAt,
      lastSeenAt,
      state: blocked ? 'blocked' : base.record.state,
    };
    return this.save({ ...base, record }, record);
  }

  /** Writes `next` as the new revision of `current`'s container. */
  async save(current: OpenContainer, next: ContainerRecord): Promise<OpenContainer> {
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
    });
    const previous =
      current.fileHash === undefined ? [] : [{ revision: current.record.revision, hash: current.fileHash }];
    const interrupt = this.options.interrupt;
    await this.options.anchor.write(anchorOf([...previous, entry]));
    interrupt?.('anchor-prepared');
    await writeFileAtomic(this.options.file, text, interrupt && ((stage) => interrupt(`file-${stage}`)));
    await this.options.anchor.write(anchorOf([entry]));
    interrupt?.('anchor-committed');
    return { record, keys: current.keys, fileHash: entry.hash };
  }
}
