import { keywardError } from '@keyward/core';
import {
  describeDatabase,
  describeMail,
  issueAdminToken,
  readServerConfig,
  type ServerConfig,
  StartRefused,
  startVendorCluster,
  startVendorServer,
} from '@keyward/server';
import { Command } from 'commander';
import { closeOnSignals, fail, integer, leaf, unwrap } from '../command-kit.js';

interface StartOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  publicUrl?: string;
  logLevel?: string;
  batchSigning?: string;
  workers?: string;
}

/** What `start` needs of a server, whether one process or a cluster of workers. */
interface StartedServer {
  readonly url: string;
  readonly portal: string;
  readonly bootstrap: {
    createdKeys: string[];
    adminToken: string | undefined;
    masterKeyFile: string | undefined;
  };
  close(): Promise<void>;
}

async function startServer(config: ServerConfig): Promise<StartedServer> {
  if (config.workers > 1) {
    const log = (sentence: string) => {
      if (config.logLevel !== 'silent') process.stderr.write(`keyward: ${sentence}\n`);
    };
    const started = await startVendorCluster(config, { log });
    return { ...started, portal: started.portalUrl, close: () => started.close() };
  }
  const server = await startVendorServer(config);
  return {
    url: server.url,
    portal: server.context.portalUrl(),
    bootstrap: server.bootstrap,
    close: () => server.close(),
  };
}

function firstRunHint(url: string, token: string, masterKeyFile: string | undefined): string {
  return [
    '',
    'First run: created the vendor signing and encryption keys and an admin API token.',
    'The token is shown only this once; keep it somewhere safe:',
    '',
    `  export KEYWARD_URL=${url}`,
    `  export KEYWARD_TOKEN=${token}`,
    '',
    ...(masterKeyFile === undefined
      ? []
      : [`The vendor's private keys are locked with ${masterKeyFile}: back it up with the database.`, '']),
    'Then, for example:',
    '  npx keyward admin product create --code cad-pro --name "CAD Pro"',
    '',
  ].join('\n');
}

const start = leaf<StartOptions>(
  'start',
  'Run the vendor server (HTTP API) on the configured database.',
  (command) =>
    command
      .option('--port <port>', 'port to listen on (KEYWARD_PORT, default 8080)', integer('--port', 0))
      .option('--host <host>', 'address to listen on (KEYWARD_HOST, default 127.0.0.1)')
      .option('--data-dir <dir>', 'data directory (KEYWARD_DATA_DIR, default ./data)')
      .option('--database-url <url>', 'database (KEYWARD_DATABASE_URL, default sqlite:<data-dir>/keyward.db)')
      .option(
        '--public-url <url>',
        'address clients use, written into SDK configurations (KEYWARD_PUBLIC_URL)',
      )
      .option('--log-level <level>', 'log level (KEYWARD_LOG_LEVEL, default info)')
      .option(
        '--batch-signing <on|off>',
        'sign the answers of a busy moment under one signature (KEYWARD_BATCH_SIGNING, default on)',
      )
      .option(
        '--workers <count>',
        'server processes sharing the port and the database, 1 to 64 (KEYWARD_WORKERS, default 1)',
      ),
  async (options, out) => {
    const config = unwrap(
      readServerConfig(process.env, {
        port: options.port,
        host: options.host,
        dataDir: options.dataDir,
        databaseUrl: options.databaseUrl,
        publicUrl: options.publicUrl,
        logLevel: options.logLevel as never,
        batchSigning: options.batchSigning,
        workers: options.workers,
      }),
    );
    const server = await startServer(config).catch((error: NodeJS.ErrnoException) => {
      if (error instanceof StartRefused) return fail(error.error);
      if (error.code !== 'EADDRINUSE') throw error;
      return fail(
        keywardError(
          'CONFIG_INVALID',
          `Port ${config.port} on ${config.host} is already in use: choose another with --port or KEYWARD_PORT.`,
        ),
      );
    });
    const { adminToken, masterKeyFile, createdKeys } = server.bootstrap;
    const mail = { transport: config.mail.transport, description: describeMail(config.mail) };
    const portal = server.portal;
    closeOnSignals(() => server.close());
    out.result({ url: server.url, portal, createdKeys, adminToken: adminToken ?? null, mail }, () =>
      [
        `Keyward vendor server listening on ${server.url} (database: ${describeDatabase(config.database)})`,
        `Dealer portal: ${portal} (vendor staff sign in there with the admin token).`,
        `Mail: ${mail.description}.`,
        adminToken === undefined ? '' : firstRunHint(server.url, adminToken, masterKeyFile),
      ].join('\n'),
    );
  },
);

const token = leaf<{ dataDir?: string; databaseUrl?: string; name: string }>(
  'token',
  "Create a new admin API token directly in the server's database (for when the first one is lost).",
  (command) =>
    command
      .option('--data-dir <dir>', 'data directory (KEYWARD_DATA_DIR, default ./data)')
      .option('--database-url <url>', 'database (KEYWARD_DATABASE_URL)')
      .option('--name <name>', 'what the token is for', 'operator'),
  async (options, out) => {
    const config = unwrap(
      readServerConfig(process.env, { dataDir: options.dataDir, databaseUrl: options.databaseUrl }),
    );
    const created = await issueAdminToken(config, options.name);
    out.result(
      { adminToken: created },
      () => `New admin token (shown only this once):\n\n  export KEYWARD_TOKEN=${created}`,
    );
  },
);

export const serverCommand = new Command('server')
  .description('The vendor server.')
  .addCommand(start)
  .addCommand(token);
