import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { firstAdminToken } from '../bootstrap.js';
import type { ServerConfig } from '../config.js';
import { openVendorData } from '../vendor/vendor-data.js';
import type { RunningServer } from '../vendor-server.js';
import { type PrimaryMessage, startFailure, toWire, type WorkerMessage } from './cluster-messages.js';

const WORKER_PROGRAM = fileURLToPath(new URL('./cluster-worker.js', import.meta.url));
/** A worker that died is replaced after this long; quick deaths double it, up to the ceiling. */
const FIRST_RESTART_DELAY_MS = 250;
const MAX_RESTART_DELAY_MS = 30_000;
/** A worker that lived this long died of something new: its replacement waits the first delay again. */
const STEADY_AFTER_MS = 10_000;
/** How long a stopping worker may take to finish its requests and jobs before it is killed. */
const STOP_TIMEOUT_MS = 15_000;

export interface RunningCluster {
  /** Where every worker listens: one shared port, the real one when 0 was asked for. */
  readonly url: string;
  readonly portalUrl: string;
  readonly bootstrap: RunningServer['bootstrap'];
  /** Stops every worker gracefully (each closes its server and flushes its checks). */
  close(): Promise<void>;
}

export interface ClusterOptions {
  /** Where the primary tells the operator about workers that died and were replaced. */
  readonly log?: (sentence: string) => void;
}

/**
 * The vendor server as `workers` processes sharing one port (node:cluster) and one database. The
 * primary does the first-run tasks before forking (migrations, the master key file, the vendor
 * keys), so workers never race for them, and makes the first admin token once every worker
 * listens. It serves no request itself; it replaces a worker that dies, with a growing delay.
 */
export async function startVendorCluster(
  config: ServerConfig,
  options: ClusterOptions = {},
): Promise<RunningCluster> {
  const log = options.log ?? (() => undefined);
  const { db, master, createdKeys } = await openVendorData(config, new Date().toISOString(), {
    verify: true,
  });
  try {
    // The workers get the secret itself: none of them reads, or creates, the key file.
    const pool = new WorkerPool({ ...config, masterKey: master.secret }, log);
    const url = await pool.start(config.workers);
    const adminToken = await firstAdminToken(db, new Date().toISOString()).catch(async (error: unknown) => {
      await pool.stop();
      throw error;
    });
    return {
      url,
      portalUrl: `${config.publicUrl ?? url}/portal`,
      bootstrap: { createdKeys, adminToken, masterKeyFile: master.createdFile },
      close: () => pool.stop(),
    };
  } finally {
    await db.destroy();
  }
}

/** The worker processes, one per slot, each replaced when it dies until the pool stops. */
class WorkerPool {
  private readonly workers = new Map<number, Worker>();
  /**
   * The port each listening worker was given. Workers given the same port share the primary's
   * listening handle, and with port 0 that handle holds the port it was given; it closes when its
   * last worker dies. So a replacement is given the port of the workers still listening (0 too),
   * or, when none is left, the real port: the address printed at start stays true either way.
   */
  private readonly listening = new Map<Worker, number>();
  private realPort = 0;
  private readonly delays = new Map<number, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private started = false;
  private stopping = false;

  constructor(
    private readonly config: ServerConfig,
    private readonly log: (sentence: string) => void,
  ) {}

  /** Forks the workers; resolves with the address once all listen, or stops them all if one cannot. */
  async start(count: number): Promise<string> {
    cluster.setupPrimary({ exec: WORKER_PROGRAM, args: [] });
    try {
      const urls = await Promise.all(
        Array.from({ length: count }, (_, slot) => this.fork(slot, this.config.port)),
      );
      const url = urls[0] ?? '';
      this.realPort = Number(new URL(url).port);
      this.started = true;
      return url;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.workers.values()].map((worker) => stopWorker(worker)));
  }

  /** Starts the worker of one slot; resolves with its address once it listens. */
  private fork(slot: number, port: number): Promise<string> {
    const worker = cluster.fork();
    this.workers.set(slot, worker);
    const forkedAt = Date.now();
    let listening = false;
    return new Promise((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'waiting') {
          const start: PrimaryMessage = { type: 'start', config: toWire({ ...this.config, port }) };
          worker.send(start);
        } else if (message.type === 'ready') {
          listening = true;
          this.listening.set(worker, port);
          resolve(message.url);
        } else reject(startFailure(message));
      });
      // The channel to a worker that is ending can fail under a message: its exit, which follows, is what counts.
      worker.on('error', (error) => this.log(`Worker ${worker.id}: ${error.message}`));
      worker.once('exit', (code, signal) => {
        if (this.workers.get(slot) === worker) this.workers.delete(slot);
        this.listening.delete(worker);
        const cause = signal ?? `code ${code}`;
        if (!listening) reject(new Error(`Worker ${worker.id} ended before it listened (${cause}).`));
        // Before all first listen, a death fails the start (a port in use, a database that refuses).
        if (this.stopping || !this.started) return;
        this.replace(slot, worker, Date.now() - forkedAt, cause);
      });
    });
  }

  /** Forks a new worker for a slot whose worker died: after a short delay, longer if it keeps dying. */
  private replace(slot: number, dead: Worker, livedMs: number, cause: string): void {
    const previous = this.delays.get(slot);
    const delay =
      previous === undefined || livedMs >= STEADY_AFTER_MS
        ? FIRST_RESTART_DELAY_MS
        : Math.min(previous * 2, MAX_RESTART_DELAY_MS);
    this.delays.set(slot, delay);
    this.log(
      `Worker ${dead.id} (pid ${dead.process.pid}) ended unexpectedly (${cause}); starting another in ${delay} ms.`,
    );
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopping) return;
      const port = [...this.listening.values()][0] ?? this.realPort;
      this.fork(slot, port).then(
        () => this.log(`Worker ${this.workers.get(slot)?.id} listens in place of worker ${dead.id}.`),
        // Its exit, which follows, schedules the next attempt.
        (error: Error) => {
          if (!this.stopping) this.log(`A replacement worker could not start: ${error.message}`);
        },
      );
    }, delay);
    this.timers.add(timer);
  }
}

/** Asks a worker to close gracefully; kills it if it has not exited in time. */
function stopWorker(worker: Worker): Promise<void> {
  if (worker.isDead()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => worker.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (worker.isConnected()) {
      const stop: PrimaryMessage = { type: 'stop' };
      worker.send(stop);
    } else worker.process.kill('SIGTERM');
  });
}
