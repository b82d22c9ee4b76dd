// One OS process of the licensed application sharing a license container with others: it runs a
// number of random operations on the container and prints, as one JSON document on stdout, what
// it saw. Spawned by container-processes.test.ts; its settings come as JSON in KEYWARD_WORKER.
import { LicenseClient, type SdkConfig } from '@keyward/client';

export interface WorkerSettings {
  readonly config: SdkConfig;
  readonly home: string;
  readonly anchorDir: string;
  readonly markerDir: string;
  readonly fingerprint: string;
  readonly counter: string;
  readonly operations: number;
  /** `mixed`: check, decrement, status, counter at random; `decrement`: decrements only. */
  readonly mix: 'mixed' | 'decrement';
  /** Epoch milliseconds: every worker waits until then, so that all of them start together. */
  readonly startAt: number;
}

export interface WorkerReport {
  readonly decremented: number;
  readonly exhausted: number;
  readonly operations: Record<string, number>;
  /** Anything unexpected: a refusal other than COUNTER_EXHAUSTED, a blocked state, an exception. */
  readonly problems: string[];
  /** Time the operations took, after the common start. */
  readonly elapsedMs: number;
}

const OPERATIONS = ['check', 'decrement', 'status', 'counter'] as const;

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.KEYWARD_WORKER ?? '') as WorkerSettings;
  const client = new LicenseClient({
    config: settings.config,
    home: settings.home,
    anchorDir: settings.anchorDir,
    markerDir: settings.markerDir,
    fingerprint: settings.fingerprint,
    attempts: 1,
    // Checks must stay offline: any attempt to reach the server is a failure the report shows.
    fetch: async () => {
      throw new Error('this worker never goes online');
    },
  });
  let decremented = 0;
  let exhausted = 0;
  const operations: Record<string, number> = {};
  const problems: string[] = [];
  const wait = settings.startAt - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const started = performance.now();

  for (let index = 0; index < settings.operations; index++) {
    const operation =
      settings.mix === 'decrement'
        ? 'decrement'
        : (OPERATIONS[Math.floor(Math.random() * OPERATIONS.length)] ?? 'status');
    operations[operation] = (operations[operation] ?? 0) + 1;
    const problem = (what: string) => problems.push(`#${index} ${operation}: ${what}`);
    try {
      switch (operation) {
        case 'check': {
          const checked = await client.check();
          if (!checked.ok) problem(`${checked.error.code} ${checked.error.message}`);
          else if (checked.value.mode !== 'licensed' || checked.value.online)
            problem(`mode ${checked.value.mode}, online ${checked.value.online}`);
          else if (checked.value.status.state !== 'active') problem(`state ${checked.value.status.state}`);
          break;
        }
        case 'decrement': {
          const result = await client.contents.decrementCounter(settings.counter, 1);
          if (result.ok) decremented += 1;
          else if (result.error.code === 'COUNTER_EXHAUSTED') exhausted += 1;
          else problem(`${result.error.code} ${result.error.message}`);
          break;
        }
        case 'status': {
          const status = await client.status();
          if (!status.ok) problem(`${status.error.code} ${status.error.message}`);
          else if (status.value.state !== 'active') problem(`state ${status.value.state}`);
          else if (status.value.verdict.kind !== 'licensed') problem(`verdict ${status.value.verdict.kind}`);
          break;
        }
        case 'counter': {
          const left = await client.contents.counter(settings.counter);
          if (!left.ok) problem(`${left.error.code} ${left.error.message}`);
          else if (left.value < 0) problem(`negative counter ${left.value}`);
          break;
        }
      }
    } catch (error) {
      problem(`exception ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  const elapsedMs = Math.round(performance.now() - started);
  const report: WorkerReport = { decremented, exhausted, operations, problems, elapsedMs };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
