import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LicenseClient, type LicenseClientOptions, type SdkConfig } from '@keyward/client';

/** One computer with the licensed application: its own fingerprint, container directory, anchor and evaluation marker. */
export interface TestComputer {
  readonly name: string;
  readonly home: string;
  readonly anchorDir: string;
  readonly markerDir: string;
  readonly client: LicenseClient;
  /** A new client over the same disk, as when the application starts again. */
  restart(options?: Partial<LicenseClientOptions>): LicenseClient;
}

export async function testComputer(
  name: string,
  config: SdkConfig,
  options: Partial<LicenseClientOptions> = {},
): Promise<TestComputer> {
  const root = await mkdtemp(join(tmpdir(), `keyward-${name}-`));
  const base: LicenseClientOptions = {
    config,
    home: join(root, 'home'),
    anchorDir: join(root, 'state', 'anchors'),
    markerDir: join(root, 'config', 'keyward'),
    fingerprint: `fingerprint-of-${name}`,
    attempts: 1,
    ...options,
  };
  return {
    name,
    home: base.home,
    anchorDir: base.anchorDir,
    markerDir: base.markerDir,
    client: new LicenseClient(base),
    restart: (more = {}) => new LicenseClient({ ...base, ...more }),
  };
}
