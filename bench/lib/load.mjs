import autocannon from 'autocannon';

/**
 * Runs the load generator against one URL. Bodies: one body for every request, or a list that
 * is used once each (activations must each bind a new serial).
 */
export async function load(url, { body, bodies, connections = 50, duration = 5 }) {
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
