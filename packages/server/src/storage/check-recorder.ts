/**
 * Records successful checks (last check time, count) in batches: one transaction every quarter
 * of a second instead of one write per check. A crash loses at most that quarter second of
 * these statistics; everything that decides a license (bindings, transfers) is written at once.
 */
export class CheckRecorder {
  private pending = new Map<string, { at: string; count: number }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (checks: ReadonlyMap<string, { at: string; count: number }>) => Promise<void>,
    private readonly intervalMs = 250,
  ) {}

  record(bindingId: string, at: string): void {
    const previous = this.pending.get(bindingId);
    this.pending.set(bindingId, { at, count: (previous?.count ?? 0) + 1 });
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs).unref();
  }

  /** Writes what is pending; resolves once it is stored. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return this.flushing;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }
}
