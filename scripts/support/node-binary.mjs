// A Node.js binary of another major version, from the npm registry (the only network CI has).
// The `node` package itself fetches its binary in an install script; `node-<platform>-<arch>`
// (what it installs) carries the binary inside its tarball and runs no script, so it is used
// directly. Kept under .tmp/ so that a second run on the same clone downloads nothing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const PLATFORMS = { linux: 'linux', darwin: 'darwin' };

/** The path of a `node` binary of `major`, installed under `cacheDir` if not there yet. */
export function nodeBinary(major, cacheDir) {
  const platform = PLATFORMS[process.platform];
  if (platform === undefined) throw new Error(`No node binary package for ${process.platform}`);
  const name = `node-${platform}-${process.arch}`;
  const prefix = join(cacheDir, `node-${major}`);
  const binary = join(prefix, 'node_modules', name, 'bin', 'node');
  if (!existsSync(binary) || versionOf(binary).split('.')[0] !== `v${major}`) {
    execFileSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        '--prefix',
        prefix,
        `${name}@${major}`,
      ],
      { stdio: 'inherit' },
    );
  }
  const version = versionOf(binary);
  if (!version.startsWith(`v${major}.`)) throw new Error(`${binary} is ${version}, not Node ${major}`);
  return { binary, version };
}

function versionOf(binary) {
  return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
}
