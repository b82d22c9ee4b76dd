import { integer, leaf, unwrap, usage } from '../command-kit.js';
import { connectSite, type SiteConnection } from './site-connection.js';

interface PropagateOptions extends SiteConnection {
  neighbour?: string;
  item?: string;
  seat?: string;
  seats?: number;
  station?: string[];
}

const licensePath = (serial: string | undefined) =>
  `/v1/site/licenses/${encodeURIComponent(serial ?? '')}/propagation`;

export const propagate = leaf<PropagateOptions>(
  'propagate',
  "Propagate a license: donate seats to a child site server, or move stations' leases onto it.",
  (c) =>
    c
      .argument('<serial>', 'the serial number')
      .option('--neighbour <site-id>', 'the child site server to donate seats to')
      .option('--item <item>', 'the item whose seats are donated')
      .option('--seat <seat>', 'the seat kind of the item')
      .option('--seats <n>', 'how many seats the child holds of it', integer('--seats', 1))
      .option('--station <id...>', "stations whose leases of the license's product move onto it"),
  async (o, out, [serial]) => {
    const site = connectSite(o);
    if (o.station !== undefined) {
      if (o.neighbour !== undefined) usage('Say --neighbour or --station, not both.');
      const moved = unwrap(
        await site.request<{ moved: string[]; left: string[] }>('POST', `${licensePath(serial)}/stations`, {
          stations: o.station,
        }),
      );
      out.result(moved, () =>
        [
          `Moved to ${serial}: ${moved.moved.length === 0 ? 'no lease' : moved.moved.join(', ')}`,
          moved.left.length === 0
            ? ''
            : `Not enough seats for: ${moved.left.join(', ')} (they lease again on their next connection)`,
        ]
          .filter((line) => line !== '')
          .join('\n'),
      );
      return;
    }
    if (o.neighbour === undefined || o.item === undefined || o.seat === undefined || o.seats === undefined)
      usage('Say --neighbour SITE --item I --seat S --seats N, or --station ID...');
    const donated = unwrap(
      await site.request<{ serial: string; neighbour: string; state: string }>('POST', licensePath(serial), {
        neighbour: o.neighbour,
        items: { [o.item]: { [o.seat]: o.seats } },
      }),
    );
    out.result(donated, () =>
      donated.state === 'delivered'
        ? `Donated ${o.seats} ${o.item}.${o.seat} of ${donated.serial} to ${donated.neighbour}.`
        : `Reserved ${o.seats} ${o.item}.${o.seat} of ${donated.serial} for ${donated.neighbour}: it did not answer, it gets them when it is back.`,
    );
  },
);

export const unpropagate = leaf<SiteConnection & { neighbour: string }>(
  'unpropagate',
  'Take back the seats of a license donated to a child site server.',
  (c) =>
    c
      .argument('<serial>', 'the serial number')
      .requiredOption('--neighbour <site-id>', 'the child site server'),
  async (o, out, [serial]) => {
    const taken = unwrap(
      await connectSite(o).request<{ serial: string; neighbour: string }>(
        'DELETE',
        `${licensePath(serial)}/${encodeURIComponent(o.neighbour)}`,
      ),
    );
    out.result(taken, () => `Took back the seats of ${taken.serial} from ${taken.neighbour}.`);
  },
);
