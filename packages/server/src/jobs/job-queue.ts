import { newId } from '@keyward/core';
import type { Kysely, Transaction, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { DatabaseLocation } from '../config.js';
import type { VendorDb } from '../storage/database.js';
import type { VendorDatabase } from '../storage/schema.js';

export interface Job {
  readonly id: string;
  readonly kind: string;
  readonly payload: unknown;
  /** This run's number, from 1. */
  readonly attempt: number;
  readonly maxAttempts: number;
}

export interface Enqueue {
  readonly kind: string;
  readonly payload: unknown;
  readonly runAt: Date;
  readonly maxAttempts?: number;
  /** A fixed id makes adding the job idempotent: a job of that id already there is kept. */
  readonly id?: string;
}

/**
 * Adds a job, inside the caller's transaction when given one: the job then exists if and only if
 * the change that asked for it does.
 */
export async function enqueueJob(
  db: Kysely<VendorDatabase> | Transaction<VendorDatabase>,
  job: Enqueue,
): Promise<string> {
  const id = job.id ?? newId('job');
  await db
    .insertInto('jobs')
    .values({
      id,
      kind: job.kind,
      payload: JSON.stringify(job.payload),
      state: 'pending',
      run_at: job.runAt.toISOString(),
      max_attempts: job.maxAttempts ?? 10,
      created_at: job.runAt.toISOString(),
    })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
  return id;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Queues the run of an hourly job for the hour `at` falls in. The job id names the hour, so every
 * process may call this at start and after each run: there is still one run an hour.
 */
export async function scheduleHourly(db: VendorDb, kind: string, idPrefix: string, at: Date): Promise<void> {
  const hour = new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
  await enqueueJob(db, {
    id: `${idPrefix}_${hour.toISOString().slice(0, 13).replace(/\D/g, '')}`,
    kind,
    payload: {},
    runAt: hour.getTime() < at.getTime() ? at : hour,
    maxAttempts: 100,
  });
}

/** The same hourly job, an hour after `at`. */
export const nextHour = (at: Date) => new Date(at.getTime() + HOUR_MS);

/**
 * Seconds before the next try after `attempt` failed: 1, 2, 4... up to ten minutes, each between
 * half that and all of it, so that jobs failing together (a receiver down, the mail server gone)
 * do not all come back at the same second. `random` is in [0, 1).
 */
export function retryDelaySeconds(attempt: number, random: number = Math.random()): number {
  const ceiling = Math.min(600, 2 ** Math.max(0, attempt - 1));
  return ceiling * (1 - random / 2);
}

function toJob(row: {
  id: string;
  kind: string;
  payload: string;
  attempts: number;
  max_attempts: number;
}): Job {
  return {
    id: row.id,
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
  };
}

/**
 * Jobs kept in the vendor database. A job is claimed with a lease: the claim is one conditional
 * update, so two processes never hold the same job, and a process that dies mid-job loses its
 * lease when it runs out, after which another process runs the job again (at least once).
 */
export class JobQueue {
  constructor(
    private readonly db: VendorDb,
    private readonly engine: DatabaseLocation['engine'],
  ) {}

  /** Adds a job now. Code that changes state adds its jobs with `enqueueJob` inside its own transaction. */
  enqueue(job: Enqueue): Promise<string> {
    return enqueueJob(this.db, job);
  }

  /** Claims the next due job of one of `kinds` for `worker`, leased for `leaseMs`; undefined when none is due. */
  async claim(
    worker: string,
    kinds: readonly string[],
    now: Date,
    leaseMs: number,
  ): Promise<Job | undefined> {
    if (this.engine === 'postgres') return this.claimSkippingLocked(worker, kinds, now, leaseMs);
    // SQLite runs one writer at a time; losing a race for one job (another process claimed it
    // first) means trying the next one.
    for (let tries = 0; tries < 5; tries++) {
      const due = await this.nextDue(kinds, now);
      if (due === undefined) return undefined;
      const job = await this.claimOne(due, worker, now, leaseMs);
      if (job !== undefined) return job;
    }
    return undefined;
  }

  private dueJobs(kinds: readonly string[], at: string) {
    return this.db
      .selectFrom('jobs')
      .select('id')
      .where('state', '=', 'pending')
      .where('kind', 'in', kinds)
      .where('run_at', '<=', at)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', at)]))
      .orderBy('run_at')
      .limit(1);
  }

  private async nextDue(kinds: readonly string[], now: Date): Promise<string | undefined> {
    const due = await this.dueJobs(kinds, now.toISOString()).executeTakeFirst();
    return due?.id;
  }

  /**
   * PostgreSQL: the next due job that no other process is claiming this instant, claimed in the
   * same statement (FOR UPDATE SKIP LOCKED): workers polling together each get a different job,
   * with no retries.
   */
  private claimSkippingLocked(
    worker: string,
    kinds: readonly string[],
    now: Date,
    leaseMs: number,
  ): Promise<Job | undefined> {
    const due = this.dueJobs(kinds, now.toISOString()).forUpdate().skipLocked().as('due');
    return this.lease(worker, now, leaseMs, (query) =>
      query.where('id', '=', (eb) => eb.selectFrom(due).select('due.id')),
    );
  }

  /** One conditional update: the conditions are checked again on the row itself, so of two workers racing, one wins. */
  private claimOne(id: string, worker: string, now: Date, leaseMs: number): Promise<Job | undefined> {
    const at = now.toISOString();
    return this.lease(worker, now, leaseMs, (query) =>
      query
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', at)])),
    );
  }

  /** Leases the job `which` selects to `worker`, counting the attempt; undefined when none was taken. */
  private async lease(
    worker: string,
    now: Date,
    leaseMs: number,
    which: (
      query: UpdateQueryBuilder<VendorDatabase, 'jobs', 'jobs', UpdateResult>,
    ) => UpdateQueryBuilder<VendorDatabase, 'jobs', 'jobs', UpdateResult>,
  ): Promise<Job | undefined> {
    const update = this.db.updateTable('jobs').set((eb) => ({
      locked_by: worker,
      locked_until: new Date(now.getTime() + leaseMs).toISOString(),
      attempts: eb('attempts', '+', 1),
    }));
    const claimed = await which(update)
      .returning(['id', 'kind', 'payload', 'attempts', 'max_attempts'])
      .executeTakeFirst();
    return claimed === undefined ? undefined : toJob(claimed);
  }

  async complete(job: Job, worker: string, now: Date): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ state: 'done', done_at: now.toISOString(), locked_until: null })
      .where('id', '=', job.id)
      .where('locked_by', '=', worker)
      .execute();
  }

  /** A failed run: tried again later with backoff, or given up after its last attempt. */
  async fail(job: Job, worker: string, now: Date, error: string): Promise<void> {
    const last = job.attempt >= job.maxAttempts;
    await this.db
      .updateTable('jobs')
      .set({
        state: last ? 'failed' : 'pending',
        run_at: new Date(now.getTime() + retryDelaySeconds(job.attempt) * 1000).toISOString(),
        done_at: last ? now.toISOString() : null,
        locked_until: null,
        last_error: error.slice(0, 1000),
      })
      .where('id', '=', job.id)
      .where('locked_by', '=', worker)
      .execute();
  }

  /** Seconds the oldest due job has waited: the runner's lag, for /metrics. */
  async lagSeconds(now: Date): Promise<number> {
    const oldest = await this.db
      .selectFrom('jobs')
      .select('run_at')
      .where('state', '=', 'pending')
      .where('run_at', '<=', now.toISOString())
      .orderBy('run_at')
      .limit(1)
      .executeTakeFirst();
    return oldest === undefined ? 0 : Math.max(0, (now.getTime() - Date.parse(oldest.run_at)) / 1000);
  }
}
