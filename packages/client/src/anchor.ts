import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { type AnchorFacts, deriveKey } from '@keyward/core/license-container';
import { readTextIfExists, writeFileAtomic } from './atomic-file.js';

/**
 * The anti-rollback anchor: kept apart from the container file, it names the file revisions it
 * accepts, the container's key, when the evaluation began, the latest time seen and whether the
 * license is blocked.
 * Sealed with an HMAC keyed from this computer's fingerprint.
 */
export interface AnchorRecord {
  readonly product: string;
  readonly containerKey: string;
  readonly accepted: ReadonlyArray<{ readonly revision: number; readonly hash: string }>;
  readonly evaluationStartedAt: string;
  /** The latest time the container has seen, so deleting the file does not forget it either. */
  readonly lastSeenAt: string;
  readonly blocked: boolean;
  /** Counter consumption, so restoring an older file does not give uses back. */
  readonly consumed: Readonly<Record<string, number>>;
}

export type AnchorRead = { readonly facts: AnchorFacts; readonly record: AnchorRecord | undefined };

export class AnchorFile {
  private readonly path: string;
  private readonly macKey: Buffer;
  /** The last anchor read and what it said: the same bytes say the same, without a second MAC. */
  private lastRead: { readonly text: string; readonly read: AnchorRead } | undefined;

  constructor(anchorDir: string, productSlug: string, fingerprint: string) {
    const name = createHash('sha256').update(`${productSlug}\n${fingerprint}`).digest('hex').slice(0, 32);
    this.path = join(anchorDir, `${name}.anchor`);
    this.macKey = deriveKey(Buffer.from(fingerprint, 'utf8'), productSlug, 'container-anchor');
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.macKey).update(body).digest();
  }

  async read(): Promise<AnchorRead> {
    const text = await readTextIfExists(this.path);
    if (text === undefined) return { facts: { kind: 'none' }, record: undefined };
    if (this.lastRead?.text === text) return this.lastRead.read;
    const read = this.parse(text);
    this.lastRead = { text, read };
    return read;
  }

  private parse(text: string): AnchorRead {
    const altered: AnchorRead = { facts: { kind: 'altered' }, record: undefined };
    let stored: { body?: unknown; mac?: unknown };
    try {
      stored = JSON.parse(text) as { body?: unknown; mac?: unknown };
    } catch {
      return altered;
    }
    if (typeof stored.body !== 'string' || typeof stored.mac !== 'string') return altered;
    const expected = this.mac(stored.body);
    const given = Buffer.from(stored.mac, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return altered;
    const parsed = JSON.parse(stored.body) as Omit<AnchorRecord, 'consumed'> & Partial<AnchorRecord>;
    const record: AnchorRecord = { ...parsed, consumed: parsed.consumed ?? {} };
    return {
      facts: { kind: 'present', accepted: record.accepted, containerKey: record.containerKey },
      record,
    };
  }

  async write(record: AnchorRecord): Promise<void> {
    const body = JSON.stringify(record);
    await writeFileAtomic(this.path, JSON.stringify({ body, mac: this.mac(body).toString('hex') }));
  }
}
