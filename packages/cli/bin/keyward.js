#!/usr/bin/env node
// Launcher kept in git (and executable) so the `keyward` command exists before the build runs.
import module from 'node:module';

// Node 22.1+ keeps the compiled code of these modules between runs (`keyward key status` runs at
// every start of an application); on older Node there is no such cache and nothing changes.
module.enableCompileCache?.();
await import('../dist/bin.js');
