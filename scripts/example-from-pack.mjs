// The example application (examples/licensed-app) as a customer builds it: @keyward/core and
// @keyward/client packed into tarballs and installed from them, never from the workspace, so a
// file missing from a package's `files`, a wrong `exports` entry or a dependency only the
// monorepo provides fails here. A real vendor server issues the license; the application must
// refuse to run before activation and run after it.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVendorProcess } from './support/vendor-process.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'keyward-example-'));
const started = Date.now();

function npm(args, cwd) {
  execFileSync('npm', ['--no-audit', '--no-fund', '--loglevel=error', ...args], { cwd, stdio: 'inherit' });
}

/** The application as the end user starts it: a new process, on the computer `pc`. */
function app(args, pc) {
  const home = join(work, pc);
  mkdirSync(home, { recursive: true });
  const ran = spawnSync(process.execPath, [join(work, 'app', 'src', 'main.js'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: home, KEYWARD_FINGERPRINT: `fingerprint-of-${pc}` },
  });
  console.log(
    `  [${pc}] licensed-app ${args.join(' ')} -> exit ${ran.status}: ${(ran.stdout + ran.stderr).trim()}`,
  );
  return ran;
}

/** What a customer downloads: the license and the README, compiled code, no tests, no source maps. */
function checkTarball(tarball) {
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
  for (const needed of [
    'package/LICENSE',
    'package/README.md',
    'package/dist/index.js',
    'package/dist/index.d.ts',
  ])
    assert.ok(files.includes(needed), `${tarball} holds ${needed}`);
  const unwanted = files.filter((file) => /\.test\.|\.map$|\/src\//.test(file));
  assert.deepEqual(unwanted, [], `${tarball} holds no tests, maps or sources`);
}

/**
 * The example's JSDoc types checked against the packed declarations, as a customer's editor
 * would. skipLibCheck: checking the packages' own declarations (TypeBox's types) takes a minute.
 */
function typeCheck(appDir) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(
    process.execPath,
    [
      tsc,
      '--noEmit',
      '--skipLibCheck',
      '--allowJs',
      '--checkJs',
      '--strict',
      '--module',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      '--typeRoots',
      join(root, 'node_modules', '@types'),
      'src/main.js',
      'src/license.js',
    ],
    { cwd: appDir, stdio: 'inherit' },
  );
}

let vendor;
try {
  npm(['run', 'build'], root);
  const packs = join(work, 'packs');
  mkdirSync(packs);
  npm(['pack', '-w', '@keyward/core', '-w', '@keyward/client', '--pack-destination', packs], root);
  const tarballs = readdirSync(packs).map((name) => join(packs, name));
  assert.equal(tarballs.length, 2, `two tarballs, not ${tarballs.join(', ')}`);
  for (const tarball of tarballs) checkTarball(tarball);

  const appDir = join(work, 'app');
  cpSync(join(root, 'examples', 'licensed-app'), appDir, {
    recursive: true,
    filter: (source) => !source.includes('node_modules') && !source.endsWith('keyward-sdk.json'),
  });
  npm(['install', ...tarballs], appDir);
  typeCheck(appDir);

  const dataDir = join(work, 'vendor');
  mkdirSync(dataDir);
  vendor = await startVendorProcess(dataDir);
  const product = await vendor.admin('POST', '/v1/products', { code: 'licensed-app', name: 'Licensed App' });
  // No evaluation period: without an activated serial the application must not run.
  const policy = await vendor.admin('POST', '/v1/policies', {
    product: product.code,
    name: 'Standard',
    evaluationDays: 0,
    checkIntervalDays: 30,
  });
  const { licenses } = await vendor.admin('POST', '/v1/licenses', { policy: policy.id, count: 1 });
  const serial = licenses[0].serial;
  const sdkConfig = await vendor.admin('GET', `/v1/products/${product.code}/sdk-config`);
  writeFileSync(join(appDir, 'keyward-sdk.json'), JSON.stringify(sdkConfig, null, 2));

  const before = app([], 'pc-a');
  assert.equal(before.status, 1, 'no license: the application refuses');
  assert.match(before.stderr, /licensed-app: not licensed: .+ \(EVALUATION_EXPIRED\)/);

  const activated = app(['activate', serial], 'pc-a');
  assert.equal(activated.status, 0, activated.stderr);
  assert.match(activated.stdout, new RegExp(`activated ${serial}`));

  // The same serial on another computer: the vendor refuses it, and so does the application.
  const elsewhere = app(['activate', serial], 'pc-b');
  assert.equal(elsewhere.status, 1, 'a serial bound to another computer is refused');
  assert.match(elsewhere.stderr, /\(SERIAL_BOUND_ELSEWHERE\)/);
  const stillRefused = app([], 'pc-b');
  assert.equal(stillRefused.status, 1);

  const licensed = app([], 'pc-a');
  assert.equal(licensed.status, 0, licensed.stderr);
  assert.match(licensed.stdout, new RegExp(`license valid \\(licensed: ${serial}, verified offline\\)`));
  assert.match(licensed.stdout, /doing the licensed work/);

  // No online check is due: the license is verified against the vendor keys alone.
  await vendor.stop();
  const offline = app([], 'pc-a');
  assert.equal(offline.status, 0, offline.stderr);
  assert.match(offline.stdout, /license valid \(licensed: .+, verified offline\)/);

  console.log(`example-from-pack: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  await vendor?.stop();
  rmSync(work, { recursive: true, force: true });
}
