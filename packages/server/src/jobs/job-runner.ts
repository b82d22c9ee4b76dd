import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Job, JobQueue } from './job-queue.js';

/** What a kind of job does. Throwing (or rejecting) fails this attempt; it is retried with backoff. */
export type JobHandler = (job: Job) => Promise<void>;

export interface JobRunnerOptions {
  readonly queue: JobQueue;
  readonly handlers: Readonly<Record<string, JobHandler>>;
  readonly now: () => Date;
  readonly log: FastifyBaseLogger;
  readonly pollMs?: number;
  /** How long a claimed job stays this process's; past it another process may run the job. */
  readonly leaseMs?: number;
  readonly concurrency?: number;
}

/** Polls the queue and runs due jobs, a few at a time; `stop` lets the running ones finish. */
export class JobRunner {
  readonly worker = `worker-${process.pid}-${randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: JobRunnerOptions) {}

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // A poll under way may still claim a job: let it finish, then wait for every job it started.
    await this.polling;
    await Promise.allSettled([...this.running]);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll();
    }, delay);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const { queue, now, leaseMs = 30_000, concurrency = 4, pollMs = 250 } = this.options;
    try {
      while (!this.stopped && this.running.size < concurrency) {
        const job = await queue.claim(this.worker, Object.keys(this.options.handlers), now(), leaseMs);
        if (job === undefined) break;
        const run = this.run(job).finally(() => this.running.delete(run));
        this.running.add(run);
      }
    } catch (error) {
      this.options.log.error({ err: error }, 'job queue poll failed');
    }
    this.schedule(pollMs);
  }

  private async run(job: Job): Promise<void> {
    const { queue, handlers, now, log } = this.options;
    const handler = handlers[job.kind];
    try {
      if (handler === undefined) throw new Error(`No handler for jobs of kind ${job.kind}`);
      await handler(job);
      await queue.complete(job, this.worker, now());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ jobId: job.id, kind: job.kind, attempt: job.attempt, err: message }, 'job failed');
      await queue
        .fail(job, this.worker, now(), message)
        .catch((failure: unknown) => log.error({ err: failure }, 'job failure not recorded'));
    }
  }
}
