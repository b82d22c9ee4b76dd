import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The one place the command line reads its environment. Flags win over these; these win over
 * the defaults.
 */
export interface CliEnvironment {
  readonly url: string | undefined;
  readonly token: string | undefined;
  /** Where `keyward site` talks to (a site server), and its admin token. */
  readonly siteUrl: string | undefined;
  readonly siteToken: string | undefined;
  readonly home: string;
  readonly anchorDir: string;
  readonly markerDir: string;
  readonly sdkConfig: string;
  readonly fingerprint: string | undefined;
}

export function readCliEnvironment(env: NodeJS.ProcessEnv): CliEnvironment {
  const stateHome = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return {
    url: env.KEYWARD_URL || undefined,
    token: env.KEYWARD_TOKEN || undefined,
    siteUrl: env.KEYWARD_SITE_URL || undefined,
    siteToken: env.KEYWARD_SITE_TOKEN || undefined,
    home: resolve(env.KEYWARD_HOME || join(homedir(), '.keyward')),
    anchorDir: resolve(env.KEYWARD_ANCHOR_DIR || join(stateHome, 'keyward', 'anchors')),
    markerDir: resolve(
      env.KEYWARD_MARKER_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'keyward'),
    ),
    sdkConfig: resolve(env.KEYWARD_SDK_CONFIG || 'keyward-sdk.json'),
    fingerprint: env.KEYWARD_FINGERPRINT || undefined,
  };
}
