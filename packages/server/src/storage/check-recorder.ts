/** The longest wait between two tries to write check statistics the database refused. */
const MAX_RETRY_MS = 30_000;

type PendingChecks = Map<string, { at: string; count: number }>;

/**
 * Records successful checks (last check time, count) in batches: one transaction every quarter
 * of a second instead of one write per check. A crash loses at most that quarter second of
 * these statistics; everything that decides a license (bindings, transfers) is written at once.
 * A batch the database refuses (locked, full, gone for a moment) is kept and tried again with a
 * growing, jittered delay: the statistics wait, the checks go on, and the process never ends for it.
 */
export class CheckRecorder {
  private pending: PendingChecks = new Map();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private failures = 0;
  private reportFailure: (error: unknown, retryInMs: number) => void = () => undefined;

  constructor(
    private readonly write: (checks: ReadonlyMap<string, { at: string; count: number }>) => Promise<void>,
    private readonly intervalMs = 250,
  ) {}

  /** Where a refused write is reported (the server's log); the recorder retries it either way. */
  reportFailuresTo(report: (error: unknown, retryInMs: number) => void): void {
    this.reportFailure = report;
  }

  record(bindingId: string, at: string): void {
    const previous = this.pending.get(bindingId);
    this.pending.set(bindingId, { at, count: (previous?.count ?? 0) + 1 });
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs).unref();
  }

  /** Writes what is pending; resolves once it is stored, or kept for a later try. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return this.flushing;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing
      .then(() => this.write(batch))
      .then(
        () => {
          this.failures = 0;
        },
        (error: unknown) => this.keepForRetry(batch, error),
      );
    return this.flushing;
  }

  /** Puts a refused batch back with what arrived since, and tries again later. */
  private keepForRetry(batch: PendingChecks, error: unknown): void {
    for (const [bindingId, refused] of batch) {
      // What arrived since was checked later: its time stands, the counts add up.
      const since = this.pending.get(bindingId);
      this.pending.set(
        bindingId,
        since === undefined ? refused : { ...since, count: since.count + refused.count },
      );
    }
    this.failures++;
    const ceiling = Math.min(this.intervalMs * 2 ** this.failures, MAX_RETRY_MS);
    // Jittered, so that several processes refused by one database do not all come back at once.
    const retryInMs = Math.round(ceiling * (0.5 + Math.random() / 2));
    this.reportFailure(error, retryInMs);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), retryInMs).unref();
  }
}
