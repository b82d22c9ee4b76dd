import { type SignedEnvelope, type Signer, signDocument, signDocumentBatch } from '@keyward/core';

/** The most answers one root signature covers: an audit path of 8 hashes. */
export const ANSWER_BATCH_LIMIT = 256;
/** The longest an open batch gathers answers, in milliseconds, however long the event-loop turn. */
export const ANSWER_BATCH_WINDOW_MS = 1;

export interface AnswerSignerOptions {
  /** Gather the answers of an event-loop turn under one signature (KEYWARD_BATCH_SIGNING). */
  readonly batching: boolean;
  /** At most this many answers in a batch; a full batch is signed at once. */
  readonly maxBatch?: number;
  /** An answer reaching a batch open this long (ms) closes it at once (default ANSWER_BATCH_WINDOW_MS). */
  readonly windowMs?: number;
}

interface PendingAnswer {
  readonly typ: string;
  readonly document: unknown;
  readonly resolve: (envelope: SignedEnvelope) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Signs the machine API's answers (grants, signed refusals, deactivation receipts) with the
 * vendor key. With batching, the first answer of a quiet moment opens a batch that closes when
 * the event loop next turns (`setImmediate`), when it is full, or when an answer reaches it after
 * its window (1 ms) in a long turn: the answers other requests reach meanwhile share one Ed25519
 * signature over their Merkle root, each with its own audit path. An answer alone in its batch is
 * signed plain, so a quiet server answers exactly as without batching.
 */
export class AnswerSigner {
  private pending: PendingAnswer[] = [];
  private openedAt = 0;
  private readonly maxBatch: number;
  private readonly windowMs: number;

  /** `signer` is read when a batch closes, so the key the keyring holds then signs it. */
  constructor(
    private readonly signer: () => Signer,
    private readonly options: AnswerSignerOptions,
  ) {
    this.maxBatch = Math.max(1, Math.min(options.maxBatch ?? ANSWER_BATCH_LIMIT, ANSWER_BATCH_LIMIT));
    this.windowMs = options.windowMs ?? ANSWER_BATCH_WINDOW_MS;
  }

  get batching(): boolean {
    return this.options.batching;
  }

  sign(typ: string, document: unknown): Promise<SignedEnvelope> {
    if (!this.options.batching)
      return new Promise((resolve) => resolve(signDocument(typ, document, this.signer())));
    return new Promise((resolve, reject) => {
      this.pending.push({ typ, document, resolve, reject });
      if (this.pending.length === 1) {
        this.openedAt = performance.now();
        setImmediate(() => this.flush());
      } else if (this.pending.length >= this.maxBatch || performance.now() - this.openedAt >= this.windowMs) {
        this.flush();
      }
    });
  }

  /** Signs what is pending; a later `setImmediate` of a batch already signed finds nothing. */
  private flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    let envelopes: SignedEnvelope[];
    try {
      envelopes = signDocumentBatch(batch, this.signer());
    } catch (error) {
      for (const answer of batch) answer.reject(error);
      return;
    }
    batch.forEach((answer, i) => {
      const envelope = envelopes[i];
      if (envelope === undefined) answer.reject(new Error('The batch signer lost an answer.'));
      else answer.resolve(envelope);
    });
  }
}
