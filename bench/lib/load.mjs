import autocannon from 'autocannon';

/**
 * Runs the load generator against one URL. Bodies: one body for every request, or a list that
 * is used once each (activations must each bind a new serial). A warm-up of `warmup` seconds
 * first, unmeasured, so that a short run does not measure the server's first requests (JIT,
 * statement caches).
 */
export async function load(url, { body, bodies, connections = 50, duration = 5, warmup = 0 }) {
  if (warmup > 0)
    await autocannon({
      url,
      method: 'POST',
      connections,
      duration: warmup,
      body,
      headers: { 'content-type': 'application/json' },
    });
  let next = 0;
  const options = {
    url,
    method: 'POST',
    connections,
    headers: { 'content-type': 'application/json' },
    ...(bodies === undefined
      ? { duration, body }
      : {
          amount: bodies.length,
          requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
        }),
  };
  const result = await autocannon(options);
  const ok = result['2xx'];
  return {
    requestsPerSecond: Math.round(ok / (result.duration || duration)),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
