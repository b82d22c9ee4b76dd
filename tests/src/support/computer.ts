import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
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

/**
 * The cheat tamper detection stops, on a computer that activates `serial`: the activated file is
 * saved, the license released and activated again, then the saved file restored. The next start
 * finds the older copy and blocks the license.
 */
export async function restoreOlderContainer(computer: TestComputer, serial: string): Promise<void> {
  assert.ok((await computer.client.activate(serial)).ok);
  const [name] = (await readdir(computer.home)).filter((file) => file.endsWith('.kwlic'));
  assert.ok(name, 'the container file exists');
  const file = join(computer.home, name);
  const saved = await readFile(file, 'utf8');
  assert.ok((await computer.restart().deactivate()).ok);
  assert.ok((await computer.restart().activate(serial)).ok);
  await writeFile(file, saved);
  const blocked = await computer.restart().check();
  assert.equal(blocked.ok ? 'ok' : blocked.error.code, 'TAMPER_DETECTED');
}
