import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import {
  fromBase64Url,
  type MailSettingNames,
  type MailSettings,
  ok,
  parseMailSettings,
  type Result,
  refuse,
} from '@keyward/core';

/** Where the vendor database is: an SQLite file (the embedded default) or a PostgreSQL server. */
export type DatabaseLocation =
  | { readonly engine: 'sqlite'; readonly file: string }
  | { readonly engine: 'postgres'; readonly url: string };

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly database: DatabaseLocation;
  /** From KEYWARD_MASTER_KEY; when absent, a key file in the data directory is used (created on first run). */
  readonly masterKey: Buffer | undefined;
  /** The address clients are told to use in their SDK configuration; by default, the address the admin used. */
  readonly publicUrl: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How long a process holds a job it claimed; past it (the process died) another one runs it. */
  readonly jobLeaseSeconds: number;
  /** Days finished jobs and webhook deliveries are kept, as KEYWARD_RETENTION_DAYS. */
  readonly retentionDays: number;
  /** Wrong or missing API tokens one address may present in a minute (KEYWARD_RATE_AUTH_FAILURES). */
  readonly authFailuresPerMinute: number;
  /** Activations one serial may be asked in an hour (KEYWARD_RATE_ACTIVATIONS). */
  readonly activationsPerHour: number;
  /** How many server processes share the port (node:cluster); 1 is a single process, no cluster. */
  readonly workers: number;
  /**
   * KEYWARD_TRUST_PROXY: behind a reverse proxy, which hops' X-Forwarded-For to believe (a number
   * of hops, or the proxies' addresses and CIDR ranges), so that rate limits and the audit log
   * see each caller's address rather than the proxy's. Off by default: a caller could forge it.
   */
  readonly trustProxy: false | number | readonly string[];
  readonly mail: MailSettings;
  /**
   * KEYWARD_BATCH_SIGNING (`on` by default): machine API answers reached in the same event-loop
   * turn share one signature over a Merkle root (docs/batch-signing.md); `off` signs each alone.
   */
  readonly batchSigning: boolean;
}

/** The most worker processes one machine runs: far above its cores, low enough to catch a typo. */
export const MAX_WORKERS = 64;

/** Settings given on the command line; they win over the environment. */
export type ServerFlags = Partial<
  Pick<ServerConfig, 'host' | 'port' | 'dataDir' | 'publicUrl' | 'logLevel'>
> & {
  readonly databaseUrl?: string;
  /** `on` or `off`, as KEYWARD_BATCH_SIGNING. */
  readonly batchSigning?: string;
  /** As typed after --workers: checked here, like the environment's value. */
  readonly workers?: number | string;
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function invalid(setting: string, problem: string) {
  return refuse('CONFIG_INVALID', `${setting} ${problem}`);
}

function parseDatabaseUrl(url: string, dataDir: string): Result<DatabaseLocation> {
  if (url === '') return ok({ engine: 'sqlite', file: join(dataDir, 'keyward.db') });
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') return invalid('KEYWARD_DATABASE_URL', 'names no SQLite file (write sqlite:PATH).');
    return ok({ engine: 'sqlite', file: path === ':memory:' ? path : resolve(path) });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      return invalid('KEYWARD_DATABASE_URL', 'is not a valid postgres:// URL.');
    }
    return ok({ engine: 'postgres', url });
  }
  return invalid(
    'KEYWARD_DATABASE_URL',
    `"${url}" is not a database URL (write sqlite:PATH or postgres://USER:PASSWORD@HOST/DATABASE).`,
  );
}

function parseMasterKey(text: string | undefined): Result<Buffer | undefined> {
  if (text === undefined || text === '') return ok(undefined);
  const bytes = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : fromBase64Url(text);
  if (bytes?.length !== 32)
    return invalid('KEYWARD_MASTER_KEY', 'must be 32 bytes, as 64 hex digits or base64url.');
  return ok(bytes);
}

/** The vendor server's mail settings: with no KEYWARD_SMTP_URL, .eml files in the data directory. */
const MAIL_SETTINGS: MailSettingNames = {
  url: 'KEYWARD_SMTP_URL',
  from: 'KEYWARD_MAIL_FROM',
  filesFrom: 'Keyward <keyward@localhost>',
  example: 'Acme Licensing <licensing@acme.example>',
};

/** The one place that reads the server's environment. Settings: flags, then environment, then defaults. */
export function readServerConfig(env: NodeJS.ProcessEnv, flags: ServerFlags = {}): Result<ServerConfig> {
  const portText = flags.port?.toString() ?? env.KEYWARD_PORT ?? '8080';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return invalid('KEYWARD_PORT', `must be a port number from 0 to 65535, not "${portText}".`);
  }
  const host = flags.host ?? env.KEYWARD_HOST ?? '127.0.0.1';
  const dataDir = resolve(flags.dataDir ?? env.KEYWARD_DATA_DIR ?? './data');
  const database = parseDatabaseUrl(flags.databaseUrl ?? env.KEYWARD_DATABASE_URL ?? '', dataDir);
  if (!database.ok) return database;
  const masterKey = parseMasterKey(env.KEYWARD_MASTER_KEY);
  if (!masterKey.ok) return masterKey;
  const logLevel = flags.logLevel ?? env.KEYWARD_LOG_LEVEL ?? 'info';
  const knownLevel = LOG_LEVELS.find((level) => level === logLevel);
  if (knownLevel === undefined)
    return invalid('KEYWARD_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}.`);
  const publicUrl = flags.publicUrl ?? env.KEYWARD_PUBLIC_URL;
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    return invalid('KEYWARD_PUBLIC_URL', `must be an http:// or https:// address, not "${publicUrl}".`);
  }
  const leaseText = env.KEYWARD_JOB_LEASE_SECONDS ?? '30';
  const jobLeaseSeconds = Number(leaseText);
  if (!Number.isInteger(jobLeaseSeconds) || jobLeaseSeconds < 1 || jobLeaseSeconds > 3600) {
    return invalid(
      'KEYWARD_JOB_LEASE_SECONDS',
      `must be a whole number of seconds from 1 to 3600, not "${leaseText}".`,
    );
  }
  const retentionText = env.KEYWARD_RETENTION_DAYS ?? '30';
  const retentionDays = Number(retentionText);
  if (!/^\d+$/.test(retentionText) || retentionDays < 1 || retentionDays > 3650) {
    return invalid(
      'KEYWARD_RETENTION_DAYS',
      `must be a whole number of days from 1 to 3650, not "${retentionText}".`,
    );
  }
  const authFailures = rateSetting(env, 'KEYWARD_RATE_AUTH_FAILURES', 20, 'a minute from one address');
  if (!authFailures.ok) return authFailures;
  const activations = rateSetting(env, 'KEYWARD_RATE_ACTIVATIONS', 20, 'an hour for one serial');
  if (!activations.ok) return activations;
  const trustProxy = parseTrustProxy(env.KEYWARD_TRUST_PROXY);
  if (!trustProxy.ok) return trustProxy;
  const workersText = flags.workers?.toString() ?? env.KEYWARD_WORKERS ?? '1';
  const workers = Number(workersText);
  const workersSetting = flags.workers === undefined ? 'KEYWARD_WORKERS' : '--workers';
  if (!/^\d+$/.test(workersText.trim()) || workers < 1 || workers > MAX_WORKERS) {
    return invalid(
      workersSetting,
      `must be a whole number of processes from 1 to ${MAX_WORKERS}, not "${workersText}".`,
    );
  }
  if (workers > 1 && database.value.engine === 'sqlite' && database.value.file === ':memory:') {
    return invalid(
      workersSetting,
      'above 1 needs a database the processes share: an SQLite file or PostgreSQL, not sqlite::memory:.',
    );
  }
  const mail = parseMailSettings(
    { url: env.KEYWARD_SMTP_URL ?? '', from: env.KEYWARD_MAIL_FROM ?? '' },
    dataDir,
    MAIL_SETTINGS,
  );
  if (!mail.ok) return mail;
  const batchText = flags.batchSigning ?? env.KEYWARD_BATCH_SIGNING ?? 'on';
  if (batchText !== 'on' && batchText !== 'off') {
    return invalid('KEYWARD_BATCH_SIGNING', `must be "on" or "off", not "${batchText}".`);
  }
  return ok({
    host,
    port,
    dataDir,
    database: database.value,
    masterKey: masterKey.value,
    publicUrl,
    logLevel: knownLevel,
    jobLeaseSeconds,
    retentionDays,
    authFailuresPerMinute: authFailures.value,
    activationsPerHour: activations.value,
    workers,
    trustProxy: trustProxy.value,
    mail: mail.value,
    batchSigning: batchText === 'on',
  });
}

function parseTrustProxy(text: string | undefined): Result<ServerConfig['trustProxy']> {
  if (text === undefined || text.trim() === '') return ok(false);
  if (/^\d{1,2}$/.test(text.trim())) return ok(Number(text.trim()));
  const proxies = text.split(',').map((part) => part.trim());
  const address = (part: string) => {
    const [ip, bits, extra] = part.split('/');
    const version = isIP(ip ?? '');
    if (version === 0 || extra !== undefined) return false;
    return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
  };
  if (proxies.every(address)) return ok(proxies);
  return invalid(
    'KEYWARD_TRUST_PROXY',
    `must be a number of proxy hops or the proxies' addresses (e.g. 10.0.0.0/8, ::1), not "${text}".`,
  );
}

/** A rate limit: how many of something are answered in its window before 429. */
function rateSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, window: string): Result<number> {
  const text = env[name] ?? String(fallback);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 1_000_000)
    return invalid(name, `must be a whole number from 1 to 1000000 (requests in ${window}), not "${text}".`);
  return ok(value);
}

/** The database as an operator reads it in logs: the file, or the server URL without its password. */
export function describeDatabase(location: DatabaseLocation): string {
  if (location.engine === 'sqlite') return location.file;
  const url = new URL(location.url);
  if (url.password !== '') url.password = '***';
  return url.toString();
}

/** Where mail goes, as the server says at start: the SMTP server without its password, or the folder. */
export function describeMail(settings: MailSettings): string {
  if (settings.transport === 'files') {
    return `no KEYWARD_SMTP_URL set: e-mails are written to ${settings.dir} as .eml files`;
  }
  const url = new URL(settings.url);
  if (url.password !== '') url.password = '***';
  return `e-mails are sent through ${url.toString()} from ${settings.from}`;
}
