// Workers on one machine: the online check against `keyward server start --workers N` (node:cluster,
// one shared port) over the same SQLite file as the single process measured beside it.
import { load } from './load.mjs';
import { startVendor, stop } from './processes.mjs';

/**
 * On an already seeded data directory (the server stopped) and a check body whose serial is bound
 * there: the check load against a cluster of `workers` processes.
 */
export async function clusterChecks({ dataDir, body, workers, duration = 5, warmup = 1 }) {
  const { child, ready } = await startVendor(dataDir, { workers });
  try {
    return await load(`${ready.url}/v1/machine/check`, { body, duration, warmup });
  } finally {
    await stop(child);
  }
}
