import { keywardError } from '@keyward/core';
import { readSiteConfig, startSiteServer } from '@keyward/site';
import { Command } from 'commander';
import { closeOnSignals, fail, integer, leaf, readUserFile, unwrap, usage } from '../command-kit.js';
import { connectSite, type SiteConnection } from './site-connection.js';
import { siteLicenseCommands } from './site-licenses.js';
import { siteNeighbourCommands } from './site-neighbours.js';
import { siteNotificationCommands, siteTaskCommands } from './site-notifications.js';

interface StartOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  heartbeatSeconds?: number;
  missedHeartbeats?: number;
  maxBorrowDays?: number;
  protocol?: number;
  vendorUrl?: string;
  taskMinutes?: number;
  smtpUrl?: string;
  mailFrom?: string;
  logLevel?: string;
}

function firstRunHint(url: string, token: string, siteKey: string, keyFile: string | undefined): string {
  return [
    '',
    'First run: created the site signing key and an admin token.',
    'The token is shown only this once; keep it somewhere safe:',
    '',
    `  export KEYWARD_SITE_URL=${url}`,
    `  export KEYWARD_SITE_TOKEN=${token}`,
    '',
    ...(keyFile === undefined ? [] : [`The site key is in ${keyFile}: back it up with the database.`, '']),
    'Ask the vendor to certify this site, then install the certificate:',
    `  npx keyward admin site register --name "..." --site-key ${siteKey} --out site-certificate.json`,
    '  npx keyward site certificate install site-certificate.json',
    '',
  ].join('\n');
}

const start = leaf<StartOptions>(
  'start',
  'Run the site server: licenses on premises, seats for stations.',
  (command) =>
    command
      .option('--port <port>', 'port to listen on (KEYWARD_SITE_PORT, default 8090)', integer('--port', 0))
      .option('--host <host>', 'address to listen on (KEYWARD_SITE_HOST, default 127.0.0.1)')
      .option('--data-dir <dir>', 'data directory (KEYWARD_SITE_DATA_DIR, default ./site-data)')
      .option(
        '--database-url <url>',
        'database (KEYWARD_SITE_DATABASE_URL, default sqlite:<data-dir>/site.db)',
      )
      .option(
        '--heartbeat-seconds <n>',
        'how often stations heartbeat (KEYWARD_SITE_HEARTBEAT_SECONDS, default 60)',
        integer('--heartbeat-seconds', 1),
      )
      .option(
        '--missed-heartbeats <n>',
        'heartbeats a lease may miss before its seat is released (KEYWARD_SITE_MISSED_HEARTBEATS, default 3)',
        integer('--missed-heartbeats', 1),
      )
      .option(
        '--max-borrow-days <n>',
        'longest a station may borrow a seat offline (KEYWARD_SITE_MAX_BORROW_DAYS, default 7)',
        integer('--max-borrow-days', 0),
      )
      .option(
        '--protocol <n>',
        'site protocol spoken to neighbours: 1 to work with older site servers (KEYWARD_SITE_PROTOCOL, default 2)',
        integer('--protocol', 1),
      )
      .option(
        '--vendor-url <url>',
        'the vendor server, for renewals and the fleet report (KEYWARD_SITE_VENDOR_URL)',
      )
      .option(
        '--task-minutes <n>',
        'how often the license key expiration task runs (KEYWARD_SITE_TASK_MINUTES, default 60)',
        integer('--task-minutes', 1),
      )
      .option(
        '--smtp-url <url>',
        'SMTP server for notification mail (KEYWARD_SITE_SMTP_URL; default: .eml files under <data-dir>/mail)',
      )
      .option('--mail-from <address>', 'sender of notification mail (KEYWARD_SITE_MAIL_FROM)')
      .option('--log-level <level>', 'log level (KEYWARD_LOG_LEVEL, default info)'),
  async (options, out) => {
    const config = unwrap(
      readSiteConfig(process.env, {
        port: options.port,
        host: options.host,
        dataDir: options.dataDir,
        databaseUrl: options.databaseUrl,
        heartbeatSeconds: options.heartbeatSeconds,
        missedHeartbeats: options.missedHeartbeats,
        maxBorrowDays: options.maxBorrowDays,
        protocol: options.protocol,
        vendorUrl: options.vendorUrl,
        taskMinutes: options.taskMinutes,
        smtpUrl: options.smtpUrl,
        mailFrom: options.mailFrom,
        logLevel: options.logLevel as never,
      }),
    );
    const site = await startSiteServer(config).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      return fail(
        keywardError(
          'CONFIG_INVALID',
          `Port ${config.port} on ${config.host} is already in use: choose another with --port or KEYWARD_SITE_PORT.`,
        ),
      );
    });
    const { adminToken, siteKeyFile } = site.bootstrap;
    const siteKey = site.context.identity.key.publicKey;
    const certified = site.context.identity.current();
    const certificate = certified.ok ? certified.value.certificate : null;
    closeOnSignals(() => site.close());
    out.result({ url: site.url, siteKey, certificate, adminToken: adminToken ?? null }, () =>
      [
        `Keyward site server listening on ${site.url} (database: ${config.databaseFile})`,
        certificate === null
          ? `Site key ${siteKey}: not certified by the vendor yet.`
          : `Site ${certificate.siteId} (${certificate.name}), certified by the vendor.`,
        adminToken === undefined ? '' : firstRunHint(site.url, adminToken, siteKey, siteKeyFile),
      ].join('\n'),
    );
  },
);

const show = leaf<SiteConnection>(
  'show',
  "This site server's key and the vendor's certificate of it.",
  (c) => c,
  async (o, out) => {
    const site = unwrap(
      await connectSite(o).request<{ siteKey: string; certificate: { siteId: string; name: string } | null }>(
        'GET',
        '/v1/site',
      ),
    );
    out.result(site, () =>
      site.certificate === null
        ? `Site key ${site.siteKey}: not certified by the vendor yet.`
        : `Site ${site.certificate.siteId} (${site.certificate.name}), key ${site.siteKey}`,
    );
  },
);

const install = leaf<SiteConnection>(
  'install',
  'Install the certificate file the vendor made (keyward admin site register).',
  (c) => c.argument('<file>', 'the certificate file'),
  async (o, out, [path]) => {
    const text = (await readUserFile(path ?? '', 'certificate file')).toString('utf8');
    let file: unknown;
    try {
      file = JSON.parse(text);
    } catch {
      usage(`The certificate file ${path} is not JSON.`);
    }
    const installed = unwrap(
      await connectSite(o).request<{ siteId: string; name: string }>('POST', '/v1/site/certificate', file),
    );
    out.result(
      installed,
      () => `Installed the vendor's certificate: site ${installed.siteId} (${installed.name}).`,
    );
  },
);

export const siteCommand = new Command('site')
  .description('The on-premises site server.')
  .option('--site-url <url>', 'site server address (KEYWARD_SITE_URL)')
  .option('--site-token <token>', 'site admin token (KEYWARD_SITE_TOKEN)')
  .addCommand(start)
  .addCommand(show)
  .addCommand(
    new Command('certificate').description("The vendor's certificate of this site.").addCommand(install),
  )
  .addCommand(siteLicenseCommands)
  .addCommand(siteNeighbourCommands);
siteCommand.addCommand(siteTaskCommands).addCommand(siteNotificationCommands);
