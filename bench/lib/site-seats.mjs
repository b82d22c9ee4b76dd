// The site server under its stations: leases taken as fast as 50 connections ask, heartbeats
// as fast as they come, then the steady state the issue sets a goal for (10,000 stations each
// heartbeating every 60 s), with the site process's CPU share and memory read from /proc.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin } from './fixtures.mjs';
import { KEYWARD, startJsonProcess, startVendor, stop } from './processes.mjs';

const nonce = () => randomBytes(16).toString('base64url');

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const payload = await response.json();
  if (!response.ok) throw new Error(`${url}: ${JSON.stringify(payload)}`);
  return payload;
}

/** Runs `count` calls with `connections` at a time; the calls per second. */
async function throughput(count, connections, call) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < count) await call(next++);
    }),
  );
  return Math.round(count / ((performance.now() - started) / 1000));
}

/** CPU seconds the process has used (user + system) and its resident memory, from /proc. */
async function usage(pid) {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  // Fields 14 and 15 of stat (user and system time), in clock ticks of 1/100 s on Linux.
  return { cpuSeconds: (Number(stat[11]) + Number(stat[12])) / 100, rssMb: Math.round(rssKb / 1024) };
}

/** Calls at `rate` per second, spread evenly, for `seconds`; the process's CPU share and memory meanwhile. */
async function steadyLoad(pid, seconds, rate, call) {
  const before = await usage(pid);
  const started = performance.now();
  let sent = 0;
  const inFlight = new Set();
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; sent < due; sent++) {
      const pending = call(sent).finally(() => inFlight.delete(pending));
      inFlight.add(pending);
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 10));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  const after = await usage(pid);
  return {
    callsPerSecond: Math.round(sent / elapsed),
    cpuPercentOfOneCore: Math.round(((after.cpuSeconds - before.cpuSeconds) / elapsed) * 1000) / 10,
    rssMb: after.rssMb,
  };
}

export async function siteSeatBenchmark({ stations, seconds }) {
  const dir = await mkdtemp(join(tmpdir(), 'keyward-bench-site-'));
  const vendorProcess = await startVendor(join(dir, 'vendor'));
  const vendor = { url: vendorProcess.ready.url, adminToken: vendorProcess.ready.adminToken };
  const siteProcess = await startJsonProcess([
    KEYWARD,
    'site',
    'start',
    '--port',
    '0',
    '--json',
    '--log-level',
    'silent',
    '--data-dir',
    join(dir, 'site'),
  ]);
  const site = { url: siteProcess.ready.url, adminToken: siteProcess.ready.adminToken };
  try {
    await admin(vendor, 'POST', '/v1/products', { code: 'bench', name: 'Bench' });
    const policy = await admin(vendor, 'POST', '/v1/policies', {
      product: 'bench',
      name: 'site',
      items: { cad: { nodes: stations } },
    });
    const { licenses } = await admin(vendor, 'POST', '/v1/licenses', { policy: policy.id });
    const certificate = await admin(vendor, 'POST', '/v1/sites', {
      name: 'Bench',
      siteKey: siteProcess.ready.siteKey,
    });
    await admin(site, 'POST', '/v1/site/certificate', certificate);
    const { file } = await admin(vendor, 'POST', `/v1/sites/${certificate.site.id}/licenses`, {
      license: licenses[0].serial,
    });
    await admin(site, 'POST', '/v1/site/licenses', { file });

    const leaseIds = [];
    const leasesPerSecond = await throughput(stations, 50, async (n) => {
      const { lease } = await post(`${site.url}/v1/stations/leases`, {
        stationId: `station-${n}`,
        product: 'bench',
        item: 'cad',
        seat: 'nodes',
        nonce: nonce(),
      });
      leaseIds[n] = JSON.parse(Buffer.from(lease.payload, 'base64url').toString('utf8')).leaseId;
    });
    const heartbeat = (n) =>
      post(`${site.url}/v1/stations/leases/${leaseIds[n % stations]}/heartbeat`, { nonce: nonce() });
    const heartbeatsPerSecond = await throughput(stations, 50, heartbeat);

    // The steady state: every station once a minute, spread evenly; the baseline is the site's
    // bare /healthz asked at the same rate, what HTTP alone costs this process on this machine.
    const rate = stations / 60;
    const steady = await steadyLoad(siteProcess.child.pid, seconds, rate, heartbeat);
    const baseline = await steadyLoad(siteProcess.child.pid, seconds, rate, () =>
      fetch(`${site.url}/healthz`).then((response) => response.json()),
    );
    return {
      stations,
      leasesPerSecond,
      heartbeatsPerSecond,
      steady: { ...steady, baselineCpuPercentOfOneCore: baseline.cpuPercentOfOneCore },
      target: 'steady state under 10% of one core and under 300 MB',
    };
  } finally {
    await stop(siteProcess.child);
    await stop(vendorProcess.child);
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(
    JSON.stringify(
      await siteSeatBenchmark({
        stations: Number(process.env.KEYWARD_BENCH_STATIONS ?? 10_000),
        seconds: Number(process.env.KEYWARD_BENCH_SECONDS ?? 20),
      }),
      null,
      2,
    ),
  );
}
