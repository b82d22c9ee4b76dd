import { WEBHOOK_EVENTS } from '@keyward/server';
import { Command } from 'commander';
import { leaf, unwrap } from '../command-kit.js';
import { type Connection, connect } from './admin-connection.js';

interface Endpoint {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
}

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  state: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

const collect = (value: string, previous: string[]) => [...previous, value];
// The server never answers a secret again, so this output is the vendor's one chance to copy it
// to the receiver.
const secretLines = (secret: string) => [
  'The signing secret (Standard Webhooks), shown only this once; it will not be shown again:',
  `  ${secret}`,
];
const endpointLine = (e: Endpoint) =>
  `${e.id}  ${e.enabled ? 'enabled ' : 'disabled'}  ${e.url}  ${e.events.join(', ')}`;

const create = leaf<Connection & { url: string; event: string[] }>(
  'create',
  'Register an endpoint for license events; its signing secret (Standard Webhooks) is shown this once.',
  (c) =>
    c
      .argument('<url>', 'where events are POSTed')
      .option(
        '--event <type>',
        `an event to send (repeatable; default all): ${WEBHOOK_EVENTS.join(', ')}`,
        collect,
        [],
      ),
  async (o, out, [url]) => {
    const events = o.event.length === 0 ? [...WEBHOOK_EVENTS] : o.event;
    const endpoint = unwrap(
      await connect(o).request<Endpoint & { secret: string }>('POST', '/v1/webhooks', { url, events }),
    );
    out.result(endpoint, () =>
      [`Registered ${endpointLine(endpoint)}`, ...secretLines(endpoint.secret)].join('\n'),
    );
  },
);

const list = leaf<Connection>(
  'list',
  'List webhook endpoints.',
  (c) => c,
  async (o, out) => {
    const { webhooks } = unwrap(await connect(o).request<{ webhooks: Endpoint[] }>('GET', '/v1/webhooks'));
    out.result({ webhooks }, () =>
      webhooks.length === 0 ? 'No webhook endpoints.' : webhooks.map(endpointLine).join('\n'),
    );
  },
);

const deliveries = leaf<Connection>(
  'deliveries',
  'The latest deliveries to an endpoint, with their attempts.',
  (c) => c.argument('<webhook>', 'endpoint id (whk_...)'),
  async (o, out, [id]) => {
    const path = `/v1/webhooks/${encodeURIComponent(id ?? '')}/deliveries`;
    const { deliveries: list } = unwrap(await connect(o).request<{ deliveries: Delivery[] }>('GET', path));
    out.result({ deliveries: list }, () =>
      list.length === 0
        ? 'No deliveries yet.'
        : list
            .map(
              (d) =>
                `${d.eventId}  ${d.eventType.padEnd(21)} ${d.state.padEnd(9)} attempts ${d.attempts}  ${d.lastStatus ?? d.lastError ?? ''}`,
            )
            .join('\n'),
    );
  },
);

const disable = leaf<Connection>(
  'disable',
  'Stop sending events to an endpoint.',
  (c) => c.argument('<webhook>', 'endpoint id (whk_...)'),
  async (o, out, [id]) => {
    const result = unwrap(
      await connect(o).request<{ disabled: boolean }>(
        'POST',
        `/v1/webhooks/${encodeURIComponent(id ?? '')}/disable`,
        {},
      ),
    );
    out.result(result, () => `Endpoint ${id} disabled.`);
  },
);

const rotateSecret = leaf<Connection>(
  'rotate-secret',
  "Replace an endpoint's signing secret at once; the new one is shown this once.",
  (c) => c.argument('<webhook>', 'endpoint id (whk_...)'),
  async (o, out, [id]) => {
    const result = unwrap(
      await connect(o).request<{ id: string; secret: string }>(
        'POST',
        `/v1/webhooks/${encodeURIComponent(id ?? '')}/rotate-secret`,
        {},
      ),
    );
    out.result(result, () =>
      [
        `Endpoint ${result.id} has a new secret: every delivery from now on, retries included, is signed with it alone.`,
        ...secretLines(result.secret),
      ].join('\n'),
    );
  },
);

export const webhookCommands = new Command('webhook')
  .description('Webhook endpoints for license events.')
  .addCommand(create)
  .addCommand(list)
  .addCommand(deliveries)
  .addCommand(disable)
  .addCommand(rotateSecret);
