import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SdkConfig } from '@keyward/client';
import { type TestComputer, testComputer } from './support/computer.js';
import type { WorkerReport, WorkerSettings } from './support/container-worker.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

const WORKER = fileURLToPath(new URL('./support/container-worker.js', import.meta.url));
const PROCESSES = 4;
const OPERATIONS = 50;

/** Runs one worker process to its end and reads its report. */
function runWorker(settings: WorkerSettings): Promise<WorkerReport> {
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, KEYWARD_WORKER: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`worker exited with ${code}: ${stderr}`));
      try {
        resolve(JSON.parse(stdout) as WorkerReport);
      } catch {
        reject(new Error(`worker printed no report: ${stdout} ${stderr}`));
      }
    });
  });
}

interface Shared {
  readonly pc: TestComputer;
  readonly config: SdkConfig;
  readonly fingerprint: string;
}

/** PROCESSES workers at once on one container, all starting at the same instant. */
function runWorkers(
  { pc, config, fingerprint }: Shared,
  mix: WorkerSettings['mix'],
): Promise<WorkerReport[]> {
  const startAt = Date.now() + 1500;
  return Promise.all(
    Array.from({ length: PROCESSES }, () =>
      runWorker({
        config,
        home: pc.home,
        anchorDir: pc.anchorDir,
        markerDir: pc.markerDir,
        fingerprint,
        counter: 'runs',
        operations: OPERATIONS,
        mix,
        startAt,
      }),
    ),
  );
}

describe('one license container shared by several OS processes', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  /** Activated once, online, in this process; the check interval keeps every later check offline. */
  async function activated(name: string, allowance: number): Promise<Shared> {
    const issued = await vendor.issue({ counters: { runs: allowance }, checkIntervalDays: 365 });
    const fingerprint = `fingerprint-of-${name}`;
    const pc = await testComputer(name, issued.sdkConfig, { fingerprint });
    const activation = await pc.client.activate(issued.licenses[0]?.serial);
    assert.ok(activation.ok, activation.ok ? '' : activation.error.code);
    return { pc, config: issued.sdkConfig, fingerprint };
  }

  it(`${PROCESSES} processes x ${OPERATIONS} mixed operations: no use lost or invented, never tamper`, async (t) => {
    const shared = await activated('processes-mixed', 1000);
    const { pc } = shared;
    const started = performance.now();
    const reports = await runWorkers(shared, 'mixed');
    const elapsed = Math.round(performance.now() - started);
    const busy = Math.max(...reports.map((report) => report.elapsedMs));
    t.diagnostic(
      `${PROCESSES} processes x ${OPERATIONS} operations: ${busy} ms of operations, ${elapsed} ms with process start-up`,
    );

    assert.deepEqual(
      reports.flatMap((report) => report.problems),
      [],
    );
    const decremented = reports.reduce((sum, report) => sum + report.decremented, 0);
    assert.equal(
      reports.reduce((sum, report) => sum + report.exhausted, 0),
      0,
    );
    assert.ok(decremented > 0, 'some operations were decrements');
    t.diagnostic(`operations: ${JSON.stringify(reports.map((report) => report.operations))}`);

    const left = await pc.restart().contents.counter('runs');
    assert.ok(left.ok, left.ok ? '' : left.error.code);
    assert.equal(left.value, 1000 - decremented);
    const status = await pc.restart().status();
    assert.ok(status.ok);
    assert.equal(status.value.state, 'active');
    assert.equal(status.value.verdict.kind, 'licensed');
    assert.deepEqual(status.value.contents.consumed, { runs: decremented });
    assert.deepEqual(status.value.contents.counters, { runs: 1000 - decremented });
  });

  it(`an allowance smaller than the demand: exactly the allowance succeeds, the rest is COUNTER_EXHAUSTED`, async () => {
    const shared = await activated('processes-scarce', 60);
    const { pc } = shared;
    const reports = await runWorkers(shared, 'decrement');
    assert.deepEqual(
      reports.flatMap((report) => report.problems),
      [],
    );
    const decremented = reports.reduce((sum, report) => sum + report.decremented, 0);
    const exhausted = reports.reduce((sum, report) => sum + report.exhausted, 0);
    assert.equal(decremented, 60);
    assert.equal(exhausted, PROCESSES * OPERATIONS - 60);
    const left = await pc.restart().contents.counter('runs');
    assert.deepEqual(left.ok ? left.value : left.error.code, 0);
    const status = await pc.restart().status();
    assert.ok(status.ok);
    assert.equal(status.value.state, 'active');
    assert.deepEqual(status.value.contents.consumed, { runs: 60 });
  });
});
