// Keyward's benchmarks: each figure beside a baseline measured in the same run on the same
// machine, reported as a ratio. Run with `npm run bench` (after `npm install`); `npm run bench --
// --quick` runs the same figures at smaller sizes and shorter runs, within a minute.
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchSigningThroughput } from './lib/batch-signing.mjs';
import { admin, licenseRequestBody, productAndPolicy, seedLicenses } from './lib/fixtures.mjs';
import { keyStatusStartup } from './lib/key-status.mjs';
import { load } from './lib/load.mjs';
import { offlineVerification } from './lib/offline.mjs';
import { startJsonProcess, startVendor, stop } from './lib/processes.mjs';
import { deactivationBodies } from './lib/releases.mjs';
import { siteSeatBenchmark } from './lib/site-seats.mjs';
import { updateBenchmarks } from './lib/updates.mjs';
import { clusterChecks } from './lib/workers.mjs';

const QUICK = process.argv.includes('--quick');
const setting = (name, full, quick) => Number(process.env[name] ?? (QUICK ? quick : full));
const SMALL = setting('KEYWARD_BENCH_SMALL', 10_000, 2_000);
const LARGE = setting('KEYWARD_BENCH_LARGE', 1_000_000, 20_000);
const DURATION = setting('KEYWARD_BENCH_SECONDS', 5, 1);
const STATIONS = setting('KEYWARD_BENCH_STATIONS', 10_000, 500);
// Serials 1.. are activated, the next ones released, the last one checked offline.
const WARMUP = QUICK ? 0.5 : 1;
/** In-process figures: seconds each is measured. */
const MEASURE = QUICK ? 0.5 : 2;
const ACTIVATIONS = QUICK ? 300 : 7_000;
const RELEASES = QUICK ? 150 : 2_000;
const temporary = [];
const started = performance.now();
const log = (text) =>
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${text}\n`);

/** A vendor server whose database holds `count` licenses of one product. */
async function seededVendor(count) {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyward-bench-'));
  temporary.push(dataDir);
  const first = await startVendor(dataDir);
  const bootstrap = { url: first.ready.url, adminToken: first.ready.adminToken };
  const { policy } = await productAndPolicy(bootstrap);
  await stop(first.child);
  log(`seeding ${count.toLocaleString()} licenses...`);
  const serials = seedLicenses(dataDir, policy, count);
  const { child, ready } = await startVendor(dataDir);
  const server = { url: ready.url, adminToken: bootstrap.adminToken, child, dataDir, serials };
  server.sdkConfig = await admin(server, 'GET', '/v1/products/bench/sdk-config');
  return server;
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, text: await response.text() };
}

/** Binds one serial and returns the check request body for it, and the size of the answer. */
async function boundCheckBody(server, serial) {
  const body = licenseRequestBody(serial);
  const activated = await post(`${server.url}/v1/machine/activate`, body);
  if (activated.status !== 200) throw new Error(`activation failed: ${activated.text}`);
  return { body, answerBytes: activated.text.length };
}

async function coldStart(dataDir, runs = QUICK ? 1 : 5) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const { child, ready } = await startVendor(dataDir);
    for (;;) {
      const answered = await fetch(`${ready.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (answered) break;
    }
    times.push(performance.now() - started);
    await stop(child);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]);
}

const ratio = (a, b) => +(a / b).toFixed(3);

/** The same check on a second server process over the same database, with batch signing off. */
async function checkWithoutBatching(dataDir, body) {
  const { child, ready } = await startVendor(dataDir, { batchSigning: 'off' });
  try {
    return await load(`${ready.url}/v1/machine/check`, { body, duration: DURATION, warmup: WARMUP });
  } finally {
    await stop(child);
  }
}

/** Ed25519 signatures per second on one core: every online answer needs one, so it caps the check. */
function signaturesPerSecond(bytes, seconds = 2) {
  const { privateKey } = generateKeyPairSync('ed25519');
  const data = Buffer.alloc(bytes, 7);
  const end = performance.now() + seconds * 1000;
  let count = 0;
  while (performance.now() < end) {
    sign(null, data, privateKey);
    count++;
  }
  return Math.round(count / seconds);
}

try {
  const small = await seededVendor(SMALL);
  const { body: checkBody, answerBytes } = await boundCheckBody(small, small.serials[0]);

  log('baseline: bare Fastify endpoint...');
  const bare = await startJsonProcess(['bench/bare-server.mjs', String(answerBytes)]);
  const baseline = await load(`${bare.ready.url}/bare`, {
    body: checkBody,
    duration: DURATION,
    warmup: WARMUP,
  });
  await stop(bare.child);
  log('floor: Fastify, one select and one signature...');
  const floorServer = await startJsonProcess([
    'bench/floor-server.mjs',
    join(small.dataDir, 'keyward.db'),
    String(answerBytes),
  ]);
  const floor = await load(`${floorServer.ready.url}/floor`, {
    body: checkBody,
    duration: DURATION,
    warmup: WARMUP,
  });
  await stop(floorServer.child);

  const signCeiling = signaturesPerSecond(Math.round(answerBytes * 0.6), MEASURE);
  const answerSigning = await batchSigningThroughput({ seconds: MEASURE });
  log(`online check, ${SMALL.toLocaleString()} licenses...`);
  const checkSmall = await load(`${small.url}/v1/machine/check`, {
    body: checkBody,
    duration: DURATION,
    warmup: WARMUP,
  });
  log('online check, every answer signed on its own...');
  const checkUnbatched = await checkWithoutBatching(small.dataDir, checkBody);

  log('activation (new bindings)...');
  const activationBodies = small.serials
    .slice(1, ACTIVATIONS + 1)
    .map((serial) => licenseRequestBody(serial));
  const activation = await load(`${small.url}/v1/machine/activate`, { bodies: activationBodies });

  log('deactivation (releases for a transfer)...');
  const releaseSerials = small.serials.slice(ACTIVATIONS + 1, ACTIVATIONS + 1 + RELEASES);
  const releaseBodies = await deactivationBodies(small.url, releaseSerials);
  const deactivation = await load(`${small.url}/v1/machine/deactivate`, { bodies: releaseBodies });

  log('offline verification in the SDK...');
  const offline = await offlineVerification(small.sdkConfig, small.serials.at(-1), {
    seconds: QUICK ? 0.5 : 3,
  });
  log('keyward key status start-up...');
  const keyStatus = await keyStatusStartup(small.sdkConfig, { runs: QUICK ? 5 : 9 });

  await stop(small.child);
  log('update request, package and apply...');
  const updates = await updateBenchmarks(QUICK ? 0.5 : 3);
  log('cold start...');
  const coldStartMs = await coldStart(small.dataDir);
  log('online check, 2 workers...');
  const twoWorkers = await clusterChecks({
    dataDir: small.dataDir,
    body: checkBody,
    workers: 2,
    duration: DURATION,
    warmup: WARMUP,
  });

  const large = await seededVendor(LARGE);
  const { body: largeBody } = await boundCheckBody(large, large.serials[Math.floor(LARGE / 2)]);
  log(`online check, ${LARGE.toLocaleString()} licenses...`);
  const checkLarge = await load(`${large.url}/v1/machine/check`, {
    body: largeBody,
    duration: DURATION,
    warmup: WARMUP,
  });
  await stop(large.child);

  log(`site server, ${STATIONS.toLocaleString()} stations...`);
  // The steady state needs a few rounds of the one-a-minute schedule's spread to settle.
  const siteSeats = await siteSeatBenchmark({
    stations: STATIONS,
    seconds: QUICK ? 1 : Math.max(DURATION, 15),
  });

  const figures = {
    onlineCheck: {
      ...checkSmall,
      baselineRequestsPerSecond: baseline.requestsPerSecond,
      baselineP99Ms: baseline.p99Ms,
      floorRequestsPerSecond: floor.requestsPerSecond,
      floorP99Ms: floor.p99Ms,
      ratioToBare: ratio(checkSmall.requestsPerSecond, baseline.requestsPerSecond),
      ratioToFloor: ratio(checkSmall.requestsPerSecond, floor.requestsPerSecond),
      floorToBare: ratio(floor.requestsPerSecond, baseline.requestsPerSecond),
      unbatched: checkUnbatched,
      unbatchedToFloor: ratio(checkUnbatched.requestsPerSecond, floor.requestsPerSecond),
      batchedToUnbatched: ratio(checkSmall.requestsPerSecond, checkUnbatched.requestsPerSecond),
      answerSigningInProcess: answerSigning,
      signaturesPerSecondOneCore: signCeiling,
      signatureCeilingToBare: ratio(signCeiling, baseline.requestsPerSecond),
      target: '>= 0.5x bare, >= 0.9x the floor unbatched, p99 <= 10 ms at 50 connections',
    },
    activation: {
      ...activation,
      baselineRequestsPerSecond: baseline.requestsPerSecond,
      ratioToBare: ratio(activation.requestsPerSecond, baseline.requestsPerSecond),
      target: '>= 1,000 per second on SQLite',
    },
    deactivation: {
      ...deactivation,
      baselineRequestsPerSecond: baseline.requestsPerSecond,
      ratioToBare: ratio(deactivation.requestsPerSecond, baseline.requestsPerSecond),
    },
    offlineVerification: offline,
    coldStart: { medianMs: coldStartMs, target: '< 1000 ms to the first answered request' },
    keyStatus,
    workers: {
      oneWorker: checkSmall,
      twoWorkers,
      ratio: ratio(twoWorkers.requestsPerSecond, checkSmall.requestsPerSecond),
      target: 'report the ratio of 2 workers to 1',
    },
    updates,
    siteSeats,
    checkAtScale: {
      licensesSmall: SMALL,
      licensesLarge: LARGE,
      requestsPerSecondSmall: checkSmall.requestsPerSecond,
      requestsPerSecondLarge: checkLarge.requestsPerSecond,
      p99MsLarge: checkLarge.p99Ms,
      largeToSmall: ratio(checkLarge.requestsPerSecond, checkSmall.requestsPerSecond),
      target: 'no more than 10% slower at the large size',
    },
  };
  const results = {
    at: new Date().toISOString(),
    quick: QUICK,
    node: process.version,
    cpus: cpus().length,
    seconds: DURATION,
    figures,
  };
  await writeFile('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
  console.table({
    'online check (req/s)': {
      value: checkSmall.requestsPerSecond,
      baseline: baseline.requestsPerSecond,
      ratio: figures.onlineCheck.ratioToBare,
    },
    'floor: select + sign (req/s)': {
      value: floor.requestsPerSecond,
      baseline: baseline.requestsPerSecond,
      ratio: figures.onlineCheck.floorToBare,
    },
    'online check to the floor': {
      value: checkSmall.requestsPerSecond,
      baseline: floor.requestsPerSecond,
      ratio: figures.onlineCheck.ratioToFloor,
    },
    'check unbatched to the floor': {
      value: checkUnbatched.requestsPerSecond,
      baseline: floor.requestsPerSecond,
      ratio: figures.onlineCheck.unbatchedToFloor,
    },
    'answers signed, batches of 64 (per s)': {
      value: answerSigning.batchedPerSecond,
      baseline: answerSigning.plainPerSecond,
      ratio: answerSigning.ratio,
    },
    'Ed25519 signs alone (per s)': {
      value: signCeiling,
      baseline: baseline.requestsPerSecond,
      ratio: figures.onlineCheck.signatureCeilingToBare,
    },
    'online check p99 (ms)': {
      value: checkSmall.p99Ms,
      baseline: baseline.p99Ms,
      ratio: ratio(checkSmall.p99Ms, baseline.p99Ms),
    },
    'activation (per s)': {
      value: activation.requestsPerSecond,
      baseline: baseline.requestsPerSecond,
      ratio: figures.activation.ratioToBare,
    },
    'deactivation (per s)': {
      value: deactivation.requestsPerSecond,
      baseline: baseline.requestsPerSecond,
      ratio: figures.deactivation.ratioToBare,
    },
    'offline check to its floor (per s)': {
      value: offline.sdkChecksPerSecond,
      baseline: offline.floorPerSecond,
      ratio: offline.ratio,
    },
    'update request (per s)': {
      value: updates.requestCreationPerSecond,
      baseline: updates.rawSignAndEncryptPerSecond,
      ratio: updates.requestRatio,
    },
    'update package (per s)': {
      value: updates.packageCreationPerSecond,
      baseline: updates.rawSignAndEncryptPerSecond,
      ratio: updates.packageRatio,
    },
    'update apply (per s)': {
      value: updates.applyPerSecond,
      baseline: updates.rawVerifyAndDecryptPerSecond,
      ratio: updates.applyRatio,
    },
    'check, 2 workers to 1 (req/s)': {
      value: twoWorkers.requestsPerSecond,
      baseline: checkSmall.requestsPerSecond,
      ratio: figures.workers.ratio,
    },
    'cold start (ms)': { value: coldStartMs, baseline: 1000, ratio: ratio(coldStartMs, 1000) },
    'keyward key status (ms)': {
      value: keyStatus.keyStatusMs,
      baseline: keyStatus.nodeMs,
      ratio: keyStatus.ratio,
    },
    [`check at ${LARGE.toLocaleString()} (req/s)`]: {
      value: checkLarge.requestsPerSecond,
      baseline: checkSmall.requestsPerSecond,
      ratio: figures.checkAtScale.largeToSmall,
    },
    'site: leases (per s)': { value: siteSeats.leasesPerSecond, baseline: null, ratio: null },
    'site: heartbeats (per s)': { value: siteSeats.heartbeatsPerSecond, baseline: null, ratio: null },
    [`site: CPU % at ${STATIONS.toLocaleString()} stations`]: {
      value: siteSeats.steady.cpuPercentOfOneCore,
      baseline: siteSeats.steady.baselineCpuPercentOfOneCore,
      ratio: ratio(siteSeats.steady.cpuPercentOfOneCore, siteSeats.steady.baselineCpuPercentOfOneCore),
    },
    'site: memory (MB)': {
      value: siteSeats.steady.rssMb,
      baseline: 300,
      ratio: ratio(siteSeats.steady.rssMb, 300),
    },
  });
} finally {
  for (const dir of temporary) await rm(dir, { recursive: true, force: true });
}
