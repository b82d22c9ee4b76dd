import { Command } from 'commander';
import { leaf, unwrap } from '../command-kit.js';
import { type RenewalEntry, renewalLine } from '../fleet-format.js';
import { type Connection, connect } from './admin-connection.js';

const add = leaf<Connection & { license: string; renewal: string }>(
  'add',
  'Tie a renewal bought in advance to the license it renews; the site server holding that license fetches it.',
  (c) =>
    c
      .requiredOption('--license <serial>', 'the license to renew (id or serial)')
      .requiredOption('--renewal <serial>', 'the renewal license (id or serial)'),
  async (o, out) => {
    const renewal = unwrap(
      await connect(o).request<RenewalEntry>(
        'POST',
        `/v1/licenses/${encodeURIComponent(o.license)}/renewals`,
        {
          renewal: o.renewal,
        },
      ),
    );
    out.result(renewal, () => `Tied ${renewalLine(renewal)}`);
  },
);

const list = leaf<Connection & { license?: string }>(
  'list',
  'List renewals waiting on the vendor server, and which site fetched each.',
  (c) => c.option('--license <serial>', 'only the renewals of, or by, this license'),
  async (o, out) => {
    const query = o.license === undefined ? '' : `?license=${encodeURIComponent(o.license)}`;
    const { renewals } = unwrap(
      await connect(o).request<{ renewals: RenewalEntry[] }>('GET', `/v1/renewals${query}`),
    );
    out.result({ renewals }, () =>
      renewals.length === 0 ? 'No renewals.' : renewals.map(renewalLine).join('\n'),
    );
  },
);

const remove = leaf<Connection>(
  'remove',
  'Untie a renewal (a site server that already fetched it keeps it).',
  (c) => c.argument('<renewal>', 'renewal id (ren_...)'),
  async (o, out, [id]) => {
    const removed = unwrap(
      await connect(o).request<{ removed: string }>('DELETE', `/v1/renewals/${encodeURIComponent(id ?? '')}`),
    );
    out.result(removed, () => `Renewal ${removed.removed} removed.`);
  },
);

export const renewalCommands = new Command('renewal')
  .description('Renewals bought in advance, for site servers to fetch automatically.')
  .addCommand(add)
  .addCommand(list)
  .addCommand(remove);
