// Workers on one machine: checks per second from `keyward server start` with 1, then 2 worker
// processes (node:cluster, one shared port) over the same SQLite file.
import { load } from './load.mjs';
import { startVendor, stop } from './processes.mjs';

/** Load on /v1/machine/check of a server started on `dataDir` with `workers` processes. */
async function checksWith(dataDir, workers, body, duration) {
  const { child, ready } = await startVendor(dataDir, { workers });
  try {
    // A short warm-up, so that neither run pays for its first requests (JIT, statement caches).
    await load(`${ready.url}/v1/machine/check`, { body, duration: 1 });
    return await load(`${ready.url}/v1/machine/check`, { body, duration });
  } finally {
    await stop(child);
  }
}

/**
 * On an already seeded data directory (the server stopped) and a check body whose serial is bound
 * there: the check load with one worker, then with two, and their ratio (two over one).
 */
export async function workerScaling({ dataDir, body, duration = 5 }) {
  const oneWorker = await checksWith(dataDir, 1, body, duration);
  const twoWorkers = await checksWith(dataDir, 2, body, duration);
  const ratio = +(twoWorkers.requestsPerSecond / oneWorker.requestsPerSecond).toFixed(3);
  return { oneWorker, twoWorkers, ratio };
}
