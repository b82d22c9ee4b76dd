import { join, resolve } from 'node:path';
import {
  type MailSettingNames,
  type MailSettings,
  ok,
  parseMailSettings,
  type Result,
  refuse,
  type SeatSettings,
} from '@keyward/core';
import { SITE_PROTOCOL_VERSION } from '@keyward/core/schemas';

export interface SiteConfig {
  readonly host: string;
  readonly port: number;
  /** Holds the site's signing key and, by default, its database. */
  readonly dataDir: string;
  /** The SQLite file, or `:memory:`. */
  readonly databaseFile: string;
  readonly seats: SeatSettings;
  /** The site protocol this server speaks to neighbours: 1 for older site servers, 2 with automatic update. */
  readonly protocol: number;
  /** How often undelivered donations are offered to neighbours again. */
  readonly neighbourSeconds: number;
  /** Where the vendor server is: the expiration task fetches renewals from it, the site reports to it. */
  readonly vendorUrl: string | undefined;
  /** How often the license key expiration task runs; it also runs at every start. */
  readonly taskMinutes: number;
  /** Where notification mail goes. */
  readonly mail: MailSettings;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** Settings given on the command line; they win over the environment. */
export type SiteFlags = Partial<Pick<SiteConfig, 'host' | 'port' | 'dataDir' | 'logLevel'>> & {
  readonly databaseUrl?: string;
  readonly heartbeatSeconds?: number;
  readonly missedHeartbeats?: number;
  readonly maxBorrowDays?: number;
  readonly protocol?: number;
  readonly neighbourSeconds?: number;
  readonly vendorUrl?: string;
  readonly taskMinutes?: number;
  readonly smtpUrl?: string;
  readonly mailFrom?: string;
};

/** Where notification mail goes: with no KEYWARD_SITE_SMTP_URL, .eml files in the data directory. */
const MAIL_SETTINGS: MailSettingNames = {
  url: 'KEYWARD_SITE_SMTP_URL',
  from: 'KEYWARD_SITE_MAIL_FROM',
  filesFrom: 'Keyward site server <keyward-site@localhost>',
  example: 'Licensing <licensing@plant.example>',
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function invalid(setting: string, problem: string) {
  return refuse('CONFIG_INVALID', `${setting} ${problem}`);
}

function wholeNumber(
  setting: string,
  text: string,
  minimum: number,
  maximum: number,
  unit: string,
): Result<number> {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum || value > maximum)
    return invalid(
      setting,
      `must be a whole number of ${unit} from ${minimum} to ${maximum}, not "${text}".`,
    );
  return ok(value);
}

function databaseFile(url: string, dataDir: string): Result<string> {
  if (url === '') return ok(join(dataDir, 'site.db'));
  if (!url.startsWith('sqlite:'))
    return invalid('KEYWARD_SITE_DATABASE_URL', `"${url}" is not an SQLite URL (write sqlite:PATH).`);
  const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
  if (path === '') return invalid('KEYWARD_SITE_DATABASE_URL', 'names no SQLite file (write sqlite:PATH).');
  return ok(path === ':memory:' ? path : resolve(path));
}

/** The one place that reads the site server's environment. Settings: flags, then environment, then defaults. */
export function readSiteConfig(env: NodeJS.ProcessEnv, flags: SiteFlags = {}): Result<SiteConfig> {
  const port = wholeNumber(
    'KEYWARD_SITE_PORT',
    flags.port?.toString() ?? env.KEYWARD_SITE_PORT ?? '8090',
    0,
    65535,
    'port',
  );
  if (!port.ok) return port;
  const dataDir = resolve(flags.dataDir ?? env.KEYWARD_SITE_DATA_DIR ?? './site-data');
  const database = databaseFile(flags.databaseUrl ?? env.KEYWARD_SITE_DATABASE_URL ?? '', dataDir);
  if (!database.ok) return database;
  const heartbeat = wholeNumber(
    'KEYWARD_SITE_HEARTBEAT_SECONDS',
    flags.heartbeatSeconds?.toString() ?? env.KEYWARD_SITE_HEARTBEAT_SECONDS ?? '60',
    1,
    86_400,
    'seconds',
  );
  if (!heartbeat.ok) return heartbeat;
  const missed = wholeNumber(
    'KEYWARD_SITE_MISSED_HEARTBEATS',
    flags.missedHeartbeats?.toString() ?? env.KEYWARD_SITE_MISSED_HEARTBEATS ?? '3',
    1,
    100,
    'heartbeats',
  );
  if (!missed.ok) return missed;
  const borrow = wholeNumber(
    'KEYWARD_SITE_MAX_BORROW_DAYS',
    flags.maxBorrowDays?.toString() ?? env.KEYWARD_SITE_MAX_BORROW_DAYS ?? '7',
    0,
    365,
    'days',
  );
  if (!borrow.ok) return borrow;
  const protocol = wholeNumber(
    'KEYWARD_SITE_PROTOCOL',
    flags.protocol?.toString() ?? env.KEYWARD_SITE_PROTOCOL ?? String(SITE_PROTOCOL_VERSION),
    1,
    SITE_PROTOCOL_VERSION,
    'protocol version',
  );
  if (!protocol.ok) return protocol;
  const neighbourSeconds = wholeNumber(
    'KEYWARD_SITE_NEIGHBOUR_SECONDS',
    flags.neighbourSeconds?.toString() ?? env.KEYWARD_SITE_NEIGHBOUR_SECONDS ?? '60',
    1,
    86_400,
    'seconds',
  );
  if (!neighbourSeconds.ok) return neighbourSeconds;
  const vendorUrl = flags.vendorUrl ?? env.KEYWARD_SITE_VENDOR_URL;
  if (vendorUrl !== undefined && !URL.canParse(vendorUrl))
    return invalid('KEYWARD_SITE_VENDOR_URL', `is not a URL: "${vendorUrl}".`);
  const taskMinutes = wholeNumber(
    'KEYWARD_SITE_TASK_MINUTES',
    flags.taskMinutes?.toString() ?? env.KEYWARD_SITE_TASK_MINUTES ?? '60',
    1,
    10_080,
    'minutes',
  );
  if (!taskMinutes.ok) return taskMinutes;
  const logLevel = LOG_LEVELS.find((level) => level === (flags.logLevel ?? env.KEYWARD_LOG_LEVEL ?? 'info'));
  if (logLevel === undefined) return invalid('KEYWARD_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}.`);
  const mail = parseMailSettings(
    {
      url: flags.smtpUrl ?? env.KEYWARD_SITE_SMTP_URL ?? '',
      from: flags.mailFrom ?? env.KEYWARD_SITE_MAIL_FROM ?? '',
    },
    dataDir,
    MAIL_SETTINGS,
  );
  if (!mail.ok) return mail;
  return ok({
    host: flags.host ?? env.KEYWARD_SITE_HOST ?? '127.0.0.1',
    port: port.value,
    dataDir,
    databaseFile: database.value,
    seats: { heartbeatSeconds: heartbeat.value, missedHeartbeats: missed.value, maxBorrowDays: borrow.value },
    protocol: protocol.value,
    neighbourSeconds: neighbourSeconds.value,
    vendorUrl: vendorUrl === '' ? undefined : vendorUrl,
    taskMinutes: taskMinutes.value,
    logLevel,
    mail: mail.value,
  });
}
