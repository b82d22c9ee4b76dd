// Lints the OpenAPI document the vendor server serves, as served, with Redocly's recommended
// rules: a route added without a summary, a security rule or its refusals fails CI.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readServerConfig, startVendorServer } from '@keyward/server';

const dataDir = await mkdtemp(join(tmpdir(), 'keyward-openapi-'));
let status = 1;
try {
  const config = readServerConfig({
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_PORT: '0',
    KEYWARD_LOG_LEVEL: 'silent',
  });
  if (!config.ok) throw new Error(config.error.message);
  const server = await startVendorServer(config.value);
  // Pretty-printed, so that each finding names a readable line.
  const document = JSON.stringify(await (await fetch(`${server.url}/openapi.json`)).json(), null, 2);
  await server.close();
  const file = join(dataDir, 'openapi.json');
  await writeFile(file, document);
  const lint = spawnSync('npx', ['redocly', 'lint', '--extends=recommended', '--format=stylish', file], {
    stdio: 'inherit',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  status = lint.status ?? 1;
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(status);
