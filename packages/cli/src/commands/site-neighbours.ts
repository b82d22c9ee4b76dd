import { Command } from 'commander';
import { leaf, unwrap, usage } from '../command-kit.js';
import { connectSite, type SiteConnection } from './site-connection.js';

/** A neighbour as `GET /v1/site/neighbours` answers it. */
interface NeighbourView {
  siteId: string;
  name: string;
  url: string | null;
  role: 'child' | 'parent';
  protocol: number | null;
  lastContactAt: string | null;
  lastError: string | null;
}

function neighbourLine(neighbour: NeighbourView): string {
  const protocol = neighbour.protocol === null ? 'protocol unknown' : `protocol ${neighbour.protocol}`;
  const where = neighbour.url === null ? '' : ` at ${neighbour.url}`;
  const error = neighbour.lastError === null ? '' : `  last error: ${neighbour.lastError}`;
  return `${neighbour.siteId}  ${neighbour.role}  ${neighbour.name}${where}  ${protocol}${error}`;
}

const add = leaf<
  SiteConnection & { child?: boolean; parent?: boolean; siteId: string; url?: string; name?: string }
>(
  'add',
  'Add a child site server to donate seats to, or a parent whose donations this site accepts.',
  (c) =>
    c
      .option('--child', 'a site server this one donates seats to (needs --url)')
      .option('--parent', 'a site server this one takes donated seats from')
      .requiredOption('--site-id <id>', 'the site id the vendor certified it under')
      .option('--url <url>', "the child's address, e.g. http://plant2:8090")
      .option('--name <name>', 'a name to show (default: the name the vendor certified)'),
  async (o, out) => {
    if (o.child === o.parent) usage('Say --child or --parent.');
    if (o.child === true && o.url === undefined) usage('A child needs --url: this site server calls it.');
    if (o.parent === true && o.url !== undefined)
      usage('A parent needs no --url: it calls this site server.');
    const body =
      o.child === true
        ? { role: 'child', siteId: o.siteId, url: o.url, ...(o.name === undefined ? {} : { name: o.name }) }
        : { role: 'parent', siteId: o.siteId, ...(o.name === undefined ? {} : { name: o.name }) };
    const added = unwrap(await connectSite(o).request<NeighbourView>('POST', '/v1/site/neighbours', body));
    out.result(added, () =>
      [
        `Added ${neighbourLine(added)}`,
        added.role === 'child' && added.protocol === null
          ? 'It did not answer yet: donations to it wait until it does.'
          : '',
      ]
        .filter((line) => line !== '')
        .join('\n'),
    );
  },
);

const list = leaf<SiteConnection>(
  'list',
  "List this site's neighbour site servers.",
  (c) => c,
  async (o, out) => {
    const listed = unwrap(
      await connectSite(o).request<{ neighbours: NeighbourView[] }>('GET', '/v1/site/neighbours'),
    );
    out.result(listed, () =>
      listed.neighbours.length === 0 ? 'No neighbours.' : listed.neighbours.map(neighbourLine).join('\n'),
    );
  },
);

const remove = leaf<SiteConnection>(
  'remove',
  'Forget a neighbour: a child holding seats of this site must give them back first (license unpropagate).',
  (c) => c.argument('<site-id>', "the neighbour's site id"),
  async (o, out, [siteId]) => {
    const removed = unwrap(
      await connectSite(o).request<{ siteId: string }>(
        'DELETE',
        `/v1/site/neighbours/${encodeURIComponent(siteId ?? '')}`,
      ),
    );
    out.result(removed, () => `Removed neighbour ${removed.siteId}.`);
  },
);

export const siteNeighbourCommands = new Command('neighbour')
  .description('Neighbour site servers: children this site donates seats to, parents it takes them from.')
  .addCommand(add)
  .addCommand(list)
  .addCommand(remove);
