import { writeFile } from 'node:fs/promises';
import { expiryWording } from '@keyward/core/license-container';
import type { LicenseView } from '@keyward/site';
import { Command } from 'commander';
import { leaf, readUserFile, unwrap } from '../command-kit.js';
import { connectSite, type SiteConnection } from './site-connection.js';
import { propagate, unpropagate } from './site-propagation.js';

const seatsOf = (items: LicenseView['items']) =>
  Object.entries(items)
    .flatMap(([item, seats]) => Object.entries(seats).map(([seat, count]) => `${item}.${seat}=${count}`))
    .join(' ');

const ORIGIN_TEXT: Record<LicenseView['origin'], string> = {
  manual: 'added manually',
  renewal: 'renewal (automatic update)',
  neighbour: 'received from a neighbour',
};

function licenseLines(license: LicenseView): string {
  const { stations, neighbours } = license.propagation;
  const origin =
    license.origin === 'neighbour' ? `donated by ${license.fromSiteId}` : ORIGIN_TEXT[license.origin];
  return [
    `${license.serial}  ${license.product}  ${seatsOf(license.items)}  ${expiryWording(license.expiresAt)}  origin: ${origin}`,
    `  key file: ${license.keyFile ?? 'none (keyward site license export)'}${license.replacedBy === null ? '' : `  replaced by ${license.replacedBy}: removed once no station or neighbour uses it`}`,
    stations.length === 0
      ? '  propagated to: no station'
      : `  propagated to: ${stations.map((s) => `${s.stationId} (${s.item}.${s.seat}${s.borrowed ? `, borrowed until ${s.expiresAt}` : ''})`).join(', ')}`,
    ...(neighbours.length === 0
      ? []
      : [`  donated to: ${neighbours.map((n) => `${n.siteId} (${n.seats} seats, ${n.state})`).join(', ')}`]),
  ].join('\n');
}

const add = leaf<SiteConnection>(
  'add',
  'Add a license key file the vendor issued for this site.',
  (c) => c.argument('<file>', 'the key file'),
  async (o, out, [path]) => {
    const file = (await readUserFile(path ?? '', 'key file')).toString('utf8');
    const added = unwrap(await connectSite(o).request<LicenseView>('POST', '/v1/site/licenses', { file }));
    out.result(added, () => `Added ${added.serial}:\n${licenseLines(added)}`);
  },
);

const list = leaf<SiteConnection>(
  'list',
  'List the licenses this site holds, their origin and the stations each is propagated to.',
  (c) => c,
  async (o, out) => {
    const { licenses } = unwrap(
      await connectSite(o).request<{ licenses: LicenseView[] }>('GET', '/v1/site/licenses'),
    );
    out.result({ licenses }, () =>
      licenses.length === 0 ? 'No licenses.' : licenses.map(licenseLines).join('\n'),
    );
  },
);

const exportFile = leaf<SiteConnection & { out?: string }>(
  'export',
  "Write the key file of a license this site holds into the site's data directory (and --out).",
  (c) => c.argument('<serial>', 'the serial number').option('--out <file>', 'also write it here'),
  async (o, out, [serial]) => {
    const exported = unwrap(
      await connectSite(o).request<{ serial: string; file: string; keyFile: string }>(
        'POST',
        `/v1/site/licenses/${encodeURIComponent(serial ?? '')}/export`,
      ),
    );
    if (o.out !== undefined) await writeFile(o.out, exported.file);
    const written = o.out ?? exported.keyFile;
    out.result(
      { serial: exported.serial, keyFile: exported.keyFile, file: written },
      () => `Wrote the key file of ${exported.serial} to ${written}`,
    );
  },
);

const remove = leaf<SiteConnection>(
  'remove',
  'Remove a license from this site (its stations lose their seats; an exported key file stays).',
  (c) => c.argument('<serial>', 'the serial number'),
  async (o, out, [serial]) => {
    const removed = unwrap(
      await connectSite(o).request<{ serial: string; stillHeldBy: string[] }>(
        'DELETE',
        `/v1/site/licenses/${encodeURIComponent(serial ?? '')}`,
      ),
    );
    out.result(removed, () =>
      removed.stillHeldBy.length === 0
        ? `Removed ${removed.serial}.`
        : `Removed ${removed.serial}. ${removed.stillHeldBy.join(', ')} still hold(s) seats of it: they stay counted until given back (license unpropagate).`,
    );
  },
);

export const siteLicenseCommands = new Command('license')
  .description("The site's license manager.")
  .addCommand(add)
  .addCommand(list)
  .addCommand(exportFile)
  .addCommand(remove)
  .addCommand(propagate)
  .addCommand(unpropagate);
