// @ts-check
// Everything the application knows about licensing: where its license lives on this computer
// and which vendor it trusts. The SDK configuration ships beside the application; the three
// directories are apart on purpose (container, anti-rollback anchor, evaluation marker), so that
// deleting one of them does not reset the license.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { computeFingerprint, LicenseClient, parseSdkConfig } from '@keyward/client';

const APP = 'licensed-app';

/**
 * The license of this installation. A missing or broken SDK configuration is a packaging
 * mistake of the vendor, not a licensing outcome: it throws.
 *
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<LicenseClient>}
 */
export async function openLicense(env) {
  const configPath = env.LICENSED_APP_SDK_CONFIG || new URL('../keyward-sdk.json', import.meta.url);
  const config = parseSdkConfig(JSON.parse(await readFile(configPath, 'utf8')));
  if (!config.ok) throw new Error(config.error.message);
  const home = homedir();
  return new LicenseClient({
    config: config.value,
    home: join(home, `.${APP}`),
    anchorDir: join(env.XDG_STATE_HOME || join(home, '.local', 'state'), APP),
    markerDir: join(env.XDG_CONFIG_HOME || join(home, '.config'), APP),
    // A container or a VM whose hardware identity changes as a whole names itself.
    fingerprint: env.KEYWARD_FINGERPRINT || (await computeFingerprint()),
  });
}
