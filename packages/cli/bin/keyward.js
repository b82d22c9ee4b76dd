#!/usr/bin/env node
// Launcher kept in git (and executable) so the `keyward` command exists before the build runs.
await import('../dist/bin.js');
