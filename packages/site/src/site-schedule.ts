import type { FastifyBaseLogger } from 'fastify';
import type { LicenseExpirationTask } from './license-expiration-task.js';
import type { Propagation } from './propagation.js';
import type { SiteReporter } from './site-reporter.js';

/** One job of the schedule: never two runs of it at once, a failure logged and the next turn taken. */
class Recurring {
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly name: string,
    private readonly work: () => Promise<void>,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(everyMs: number, now = true): void {
    if (now) this.run();
    this.timer = setInterval(() => this.run(), everyMs);
    this.timer.unref();
  }

  run(): Promise<void> {
    this.running ??= this.work()
      .catch((error: unknown) => this.log.error({ err: error }, `${this.name} failed`))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}

/** How often the site looks after its keys between runs of the expiration task. */
const UPKEEP_MS = 60_000;

export interface ScheduleSettings {
  readonly taskMinutes: number;
  readonly neighbourSeconds: number;
}

/**
 * The site server's schedule. The license key expiration task runs at start (so a site that was
 * down when it was due catches up) and then every `taskMinutes`. About once a minute, donations
 * not delivered are offered to the neighbours again (seats freed since, children back online).
 * Every minute the site removes replaced keys no child uses any more and reports changes to the
 * vendor.
 */
export class SiteSchedule {
  private readonly task: Recurring;
  private readonly neighbours: Recurring;
  private readonly upkeep: Recurring;

  constructor(
    expiration: LicenseExpirationTask,
    propagation: Propagation,
    reporter: SiteReporter,
    private readonly settings: ScheduleSettings,
    log: FastifyBaseLogger,
  ) {
    this.neighbours = new Recurring('Offering seats to neighbours', () => propagation.syncNeighbours(), log);
    this.task = new Recurring(
      'The license key expiration task',
      async () => {
        const run = await expiration.run();
        for (const key of run.keys)
          if (key.outcome === 'failed')
            log.warn({ serial: key.serial, error: key.error }, 'the expiration task could not handle a key');
        await reporter.report();
      },
      log,
    );
    this.upkeep = new Recurring(
      'Site upkeep',
      async () => {
        await expiration.retireReplaced();
        const reported = await reporter.report();
        if (!reported.ok && reported.error.code !== 'VENDOR_URL_MISSING')
          log.warn({ error: reported.error }, 'the site could not report to the vendor');
      },
      log,
    );
  }

  start(): void {
    this.task.start(this.settings.taskMinutes * 60_000);
    this.neighbours.start(this.settings.neighbourSeconds * 1000, false);
    this.upkeep.start(UPKEEP_MS, false);
  }

  async stop(): Promise<void> {
    await Promise.all([this.task.stop(), this.neighbours.stop(), this.upkeep.stop()]);
  }
}
