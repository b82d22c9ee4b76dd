import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { leaf, unwrap } from '../command-kit.js';
import { type RenewalEntry, type ReportedKey, renewalLine, reportedKeysTable } from '../fleet-format.js';
import { table } from '../output.js';
import { type Connection, connect } from './admin-connection.js';

interface Site {
  id: string;
  name: string;
  siteKey: string;
  createdAt: string;
}

const register = leaf<Connection & { name: string; siteKey: string; out: string }>(
  'register',
  "Certify a site server's key; the certificate file is installed on the site (keyward site certificate install).",
  (c) =>
    c
      .requiredOption('--name <name>', 'what the customer calls this site server')
      .requiredOption('--site-key <key>', 'its public key, as keyward site start prints it')
      .requiredOption('--out <file>', 'where to write the certificate file'),
  async (o, out) => {
    const file = unwrap(
      await connect(o).request<{ site: Site }>('POST', '/v1/sites', { name: o.name, siteKey: o.siteKey }),
    );
    await writeFile(o.out, `${JSON.stringify(file, null, 2)}\n`);
    out.result(
      file,
      () => `Registered site ${file.site.id} (${file.site.name}); certificate written to ${o.out}`,
    );
  },
);

interface SiteDetails {
  site: Site;
  serials: string[];
  renewals: RenewalEntry[];
  report: { issuedAt: string; receivedAt: string; protocol: number; licenses: ReportedKey[] } | null;
}

function detailsText(details: SiteDetails): string {
  const { site, report } = details;
  const heading = table([
    ['Site', `${site.id} (${site.name})`],
    ['Registered', site.createdAt],
    ['Issued', details.serials.join(', ') || 'none'],
    [
      'Last report',
      report === null
        ? 'never'
        : `${report.issuedAt} (received ${report.receivedAt}, protocol ${report.protocol})`,
    ],
  ]);
  const renewals =
    details.renewals.length === 0 ? 'No renewals.' : details.renewals.map(renewalLine).join('\n');
  return report === null
    ? `${heading}\n\n${renewals}`
    : `${heading}\n\n${reportedKeysTable(report.licenses)}\n\n${renewals}`;
}

const show = leaf<Connection>(
  'show',
  'A site server: the serials issued to it, their renewals, and the keys its latest report holds.',
  (c) => c.argument('<site>', 'the site id (sit_...)'),
  async (o, out, [site]) => {
    const details = unwrap(
      await connect(o).request<SiteDetails>('GET', `/v1/sites/${encodeURIComponent(site ?? '')}`),
    );
    out.result(details, () => detailsText(details));
  },
);

const list = leaf<Connection>(
  'list',
  'List the site servers, the serials each was issued and when each last reported.',
  (c) => c,
  async (o, out) => {
    const { sites } = unwrap(
      await connect(o).request<{ sites: Array<Site & { serials: string[]; lastReportAt: string | null }> }>(
        'GET',
        '/v1/sites',
      ),
    );
    out.result({ sites }, () =>
      sites.length === 0
        ? 'No site servers.'
        : sites
            .map(
              (site) =>
                `${site.id}  ${site.name}  ${site.serials.join(', ') || '(no licenses)'}  last report ${site.lastReportAt ?? 'never'}`,
            )
            .join('\n'),
    );
  },
);

const license = leaf<Connection & { license: string; out: string }>(
  'license',
  'Issue a site license key file for one serial to a registered site server.',
  (c) =>
    c
      .argument('<site>', 'the site id (sit_...)')
      .requiredOption('--license <serial>', 'license id or serial')
      .requiredOption('--out <file>', 'where to write the key file'),
  async (o, out, [site]) => {
    const issued = unwrap(
      await connect(o).request<{ serial: string; file: string }>(
        'POST',
        `/v1/sites/${encodeURIComponent(site ?? '')}/licenses`,
        { license: o.license },
      ),
    );
    await writeFile(o.out, issued.file);
    out.result(
      { serial: issued.serial, file: o.out },
      () => `Wrote the site license of ${issued.serial} to ${o.out}`,
    );
  },
);

export const siteAdminCommands = new Command('site')
  .description('Site servers: certify their keys, issue them licenses.')
  .addCommand(register)
  .addCommand(list)
  .addCommand(show)
  .addCommand(license);
