// The license text is kept once, at the repository's root, so that it cannot drift between
// packages; a published tarball must still carry its own copy. A package's prepack copies it in
// (`copy`), its postpack takes it out again (`remove`) so the working tree stays clean. Runs in
// the package's directory, as npm runs lifecycle scripts.
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../LICENSE', import.meta.url));
const action = process.argv[2];

if (action === 'copy') copyFileSync(root, 'LICENSE');
else if (action === 'remove') rmSync('LICENSE', { force: true });
else {
  console.error('usage: node scripts/package-license.mjs copy|remove');
  process.exit(2);
}
