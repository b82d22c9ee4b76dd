// Runs every compiled test file with node's test runner. Node 20 has no glob for --test, so the
// files are listed here; extra arguments (e.g. --test-only) are passed through.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = [
  'packages/core/dist',
  'packages/client/dist',
  'packages/server/dist',
  'packages/site/dist',
  'packages/cli/dist',
  'tests/dist',
];
const filter = process.env.KEYWARD_TEST_FILTER;

function testFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

const files = roots.flatMap(testFiles).filter((file) => !filter || file.includes(filter));
const result = spawnSync(process.execPath, ['--test', ...process.argv.slice(2), ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
