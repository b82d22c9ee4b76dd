import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { issueAdminToken, readServerConfig, startVendorServer } from '@keyward/server';

function configFor(dataDir: string, port: number) {
  const config = readServerConfig({
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_PORT: String(port),
    KEYWARD_LOG_LEVEL: 'silent',
  });
  if (!config.ok) throw new Error(config.error.message);
  return config.value;
}

describe('first-run bootstrap', () => {
  it('a first start that cannot listen does not spend the one showing of the admin token', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'keyward-bootstrap-'));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const busyPort = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      await assert.rejects(startVendorServer(configFor(dataDir, busyPort)), { code: 'EADDRINUSE' });
      const server = await startVendorServer(configFor(dataDir, 0));
      try {
        assert.match(server.bootstrap.adminToken ?? '', /^kw_admin_/);
      } finally {
        await server.close();
      }
    } finally {
      blocker.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('an operator who lost the token makes a new one from the database', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'keyward-bootstrap-'));
    const server = await startVendorServer(configFor(dataDir, 0));
    try {
      const token = await issueAdminToken(configFor(dataDir, 0), 'operator');
      const response = await fetch(`${server.url}/v1/products`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(response.status, 200);
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
