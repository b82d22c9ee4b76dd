import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A real HTTP receiver on loopback: records every delivery, answers with the statuses it is told to, then 200. */
export async function webhookReceiver(statuses: number[] = []) {
  const received: Received[] = [];
  let stalls = 0;
  const stalled: Array<{ id: string }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      if (stalls > 0) {
        // Never answered: the sender hangs, as on a receiver that is down mid-request.
        stalls -= 1;
        stalled.push(JSON.parse(body) as { id: string });
        return;
      }
      received.push({ headers: request.headers, body });
      response.statusCode = statuses.shift() ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    statuses,
    /** Waits until a delivery matching `match` has arrived. */
    async waitFor(
      match: (event: { type: string; id: string }) => boolean,
      timeoutMs = 15_000,
    ): Promise<Received> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find((entry) => match(JSON.parse(entry.body) as { type: string; id: string }));
        if (found !== undefined) return found;
        if (Date.now() > end)
          throw new Error(
            `No matching webhook within ${timeoutMs} ms; got ${received.map((r) => r.body).join(' | ')}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    /** The next `count` deliveries get no answer at all. */
    stall(count: number) {
      stalls = count;
    },
    async waitForStalled(timeoutMs = 15_000): Promise<{ id: string }> {
      const end = Date.now() + timeoutMs;
      while (stalled.length === 0) {
        if (Date.now() > end) throw new Error('No delivery stalled');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return stalled[0] as { id: string };
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
