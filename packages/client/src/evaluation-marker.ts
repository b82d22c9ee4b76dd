import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { deriveKey } from '@keyward/core/license-container';
import { readTextIfExists, writeFileAtomic } from './atomic-file.js';

/** When the evaluation began and the latest time seen, as the marker remembers them. */
export interface EvaluationMarkerRecord {
  readonly evaluationStartedAt: string;
  readonly lastSeenAt: string;
}

/**
 * A third place that remembers when the evaluation began, apart from the container file and the
 * anchor: deleting the two obvious files does not restart the evaluation. Sealed like the anchor;
 * a marker that does not verify is ignored (it can only ever shorten the evaluation).
 */
export class EvaluationMarker {
  private readonly path: string;
  private readonly macKey: Buffer;

  constructor(markerDir: string, productSlug: string, fingerprint: string) {
    const name = createHash('sha256')
      .update(`marker\n${productSlug}\n${fingerprint}`)
      .digest('hex')
      .slice(0, 24);
    this.path = join(markerDir, `.${name}`);
    this.macKey = deriveKey(Buffer.from(fingerprint, 'utf8'), productSlug, 'evaluation-marker');
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.macKey).update(body).digest();
  }

  async read(): Promise<EvaluationMarkerRecord | undefined> {
    const text = await readTextIfExists(this.path);
    if (text === undefined) return undefined;
    try {
      const stored = JSON.parse(text) as { body?: unknown; mac?: unknown };
      if (typeof stored.body !== 'string' || typeof stored.mac !== 'string') return undefined;
      const given = Buffer.from(stored.mac, 'hex');
      const expected = this.mac(stored.body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      return JSON.parse(stored.body) as EvaluationMarkerRecord;
    } catch {
      return undefined;
    }
  }

  async write(record: EvaluationMarkerRecord): Promise<void> {
    const body = JSON.stringify(record);
    await writeFileAtomic(this.path, JSON.stringify({ body, mac: this.mac(body).toString('hex') }));
  }
}
