import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A real HTTP receiver on loopback: records every delivery, answers with the statuses it is told to, then 200. */
export async function webhookReceiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
