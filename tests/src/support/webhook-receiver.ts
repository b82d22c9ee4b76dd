import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Whether it verified on arrival with the secret then set by `verifyWith`; unset before that. */
  readonly verified?: boolean;
}

/** What a receiver does with the reference library: true when the delivery verifies with this secret. */
export function verifies(secret: string, delivery: Received): boolean {
  const headers = Object.fromEntries(
    Object.entries(delivery.headers).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  try {
    new Webhook(secret).verify(delivery.body, headers);
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return false;
    throw error;
  }
}

/** A delivery's event: its id is the webhook-id header, the rest is the Standard Webhooks payload. */
export interface ReceivedEvent {
  readonly id: string;
  readonly type: string;
  readonly timestamp: string;
  readonly data: Record<string, unknown>;
}

export function eventOf(entry: Received): ReceivedEvent {
  const id = entry.headers['webhook-id'];
  return { ...(JSON.parse(entry.body) as Omit<ReceivedEvent, 'id'>), id: typeof id === 'string' ? id : '' };
}

/** A real HTTP receiver on loopback: records every delivery, answers with the statuses it is told to, then 200. */
export async function webhookReceiver(statuses: number[] = []) {
  const received: Received[] = [];
  let stalls = 0;
  let secret: string | undefined;
  const stalled: ReceivedEvent[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      if (stalls > 0) {
        // Never answered: the sender hangs, as on a receiver that is down mid-request.
        stalls -= 1;
        stalled.push(eventOf({ headers: request.headers, body }));
        return;
      }
      const delivery = { headers: request.headers, body };
      received.push(secret === undefined ? delivery : { ...delivery, verified: verifies(secret, delivery) });
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
    async waitFor(match: (event: ReceivedEvent) => boolean, timeoutMs = 15_000): Promise<Received> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find((entry) => match(eventOf(entry)));
        if (found !== undefined) return found;
        if (Date.now() > end)
          throw new Error(
            `No matching webhook within ${timeoutMs} ms; got ${received.map((r) => r.body).join(' | ')}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    /** Verifies every delivery from now on with this secret, as a receiver holding it would. */
    verifyWith(current: string) {
      secret = current;
    },
    /** The next `count` deliveries get no answer at all. */
    stall(count: number) {
      stalls = count;
    },
    async waitForStalled(timeoutMs = 15_000): Promise<ReceivedEvent> {
      const end = Date.now() + timeoutMs;
      while (stalled.length === 0) {
        if (Date.now() > end) throw new Error('No delivery stalled');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return stalled[0] as ReceivedEvent;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
