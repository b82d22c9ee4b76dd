import { readFile } from 'node:fs/promises';
import { computeFingerprint, type LicenseClientOptions, parseSdkConfig } from '@keyward/client/status';
import { keywardError } from '@keyward/core/license-container';
import { fail, unwrap } from './output.js';
import { readCliEnvironment } from './settings.js';

/** The options of `keyward key`, given before or after its leaf command. */
export interface KeyOptions {
  sdkConfig?: string;
  home?: string;
  anchorDir?: string;
  markerDir?: string;
  fingerprint?: string;
  url?: string;
}

/** Each option of `keyward key`: its flag, the name it is read under and its help. */
export const KEY_OPTIONS: ReadonlyArray<{
  readonly flag: `--${string}`;
  readonly value: string;
  readonly name: keyof KeyOptions;
  readonly description: string;
}> = [
  {
    flag: '--sdk-config',
    value: '<file>',
    name: 'sdkConfig',
    description: "the application's SDK configuration (KEYWARD_SDK_CONFIG, default ./keyward-sdk.json)",
  },
  {
    flag: '--home',
    value: '<dir>',
    name: 'home',
    description: 'license container directory (KEYWARD_HOME, default ~/.keyward)',
  },
  {
    flag: '--anchor-dir',
    value: '<dir>',
    name: 'anchorDir',
    description: 'anti-rollback anchor directory (KEYWARD_ANCHOR_DIR)',
  },
  {
    flag: '--marker-dir',
    value: '<dir>',
    name: 'markerDir',
    description: 'evaluation marker directory (KEYWARD_MARKER_DIR)',
  },
  {
    flag: '--fingerprint',
    value: '<id>',
    name: 'fingerprint',
    description: "this computer's identity, instead of the computed one (KEYWARD_FINGERPRINT)",
  },
  {
    flag: '--url',
    value: '<url>',
    name: 'url',
    description: 'license server address, instead of the one in the SDK configuration (KEYWARD_URL)',
  },
];

/**
 * The options of `keyward key status` in its plain forms (`key [options] status [options]`, each
 * option `--flag value` or `--flag=value`, and `--json`), read without the command-line parser
 * so that the command an application runs at every start loads nothing else. Anything else
 * (help, a usage error, an unusual form) is undefined: the full parser then takes the command.
 */
export function keyStatusRequest(args: readonly string[]): (KeyOptions & { json: boolean }) | undefined {
  if (args[0] !== 'key') return undefined;
  const options: KeyOptions & { json: boolean } = { json: false };
  let leaf = false;
  for (let index = 1; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === 'status' && !leaf) {
      leaf = true;
      continue;
    }
    if (arg === '--json' && leaf) {
      options.json = true;
      continue;
    }
    const equals = arg.indexOf('=');
    const flag = equals === -1 ? arg : arg.slice(0, equals);
    const option = KEY_OPTIONS.find((candidate) => candidate.flag === flag);
    const value = equals === -1 ? args[++index] : arg.slice(equals + 1);
    if (option === undefined || value === undefined || value === '' || value.startsWith('-'))
      return undefined;
    options[option.name] = value;
  }
  return leaf ? options : undefined;
}

/** What the SDK needs, from the options of `keyward key`, the environment and the SDK configuration. */
export async function licenseClientOptions(options: KeyOptions): Promise<LicenseClientOptions> {
  const env = readCliEnvironment(process.env);
  const configFile = options.sdkConfig ?? env.sdkConfig;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(configFile, 'utf8'));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not valid JSON';
    fail(keywardError('CONFIG_INVALID', `The SDK configuration ${configFile} ${reason} (see --sdk-config).`));
  }
  const config = unwrap(parseSdkConfig(json));
  const serverUrl = options.url ?? env.url ?? config.serverUrl;
  return {
    config: { ...config, serverUrl },
    home: options.home ?? env.home,
    anchorDir: options.anchorDir ?? env.anchorDir,
    markerDir: options.markerDir ?? env.markerDir,
    fingerprint: options.fingerprint ?? env.fingerprint ?? (await computeFingerprint()),
  };
}
