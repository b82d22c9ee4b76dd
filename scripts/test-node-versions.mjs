// The SDK, the CLI and core on the other Node.js versions Keyward supports (22 and 24; the main
// suite runs on the Node of the machine, 20). What runs: every compiled test of core, client and
// cli, and the integration tests where the SDK or the `keyward key` command does the work.
//
// Their vendor servers start in-process, and the server's SQLite driver is a native module built
// for the Node that ran `npm install`. So here the servers use PostgreSQL
// (KEYWARD_TEST_DATABASE_URL, as `npm run test:postgres`), and better-sqlite3, which loads its
// native part only when a database is opened, is never loaded. Rebuilding it for each version
// instead would cost a minute and a half of compiling per version.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from './support/node-binary.mjs';

const VERSIONS = ['22', '24'];
const root = fileURLToPath(new URL('..', import.meta.url));

/** Integration tests of the SDK and of `keyward key`; the server's own security tables stay with the main suite. */
const INTEGRATION = [
  'container',
  'container-terms.security',
  'container-vectors',
  'container-processes',
  'clock',
  'counters',
  'fingerprint-change',
  'grace',
  'phone-activation',
  'transfers',
  'update-codes',
  'updates',
];

function compiledTests(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.js'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

const files = [
  ...['core', 'client', 'cli'].flatMap((name) => compiledTests(join(root, 'packages', name, 'dist'))),
  ...INTEGRATION.map((name) => join(root, 'tests', 'dist', `${name}.test.js`)),
];
const env = {
  ...process.env,
  KEYWARD_TEST_DATABASE_URL:
    process.env.KEYWARD_TEST_DATABASE_URL || 'postgres://keyward:keyward@127.0.0.1:5432/postgres',
};

let failed = false;
for (const major of VERSIONS) {
  const started = Date.now();
  const { binary, version } = nodeBinary(major, join(root, '.tmp'));
  console.log(`\n# Node ${version}: ${files.length} test files`);
  const ran = spawnSync(binary, ['--test', '--test-reporter=dot', ...files], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`# Node ${version}: ${ran.status === 0 ? 'passed' : 'FAILED'} in ${seconds} s`);
  failed ||= ran.status !== 0;
}
process.exit(failed ? 1 : 0);
