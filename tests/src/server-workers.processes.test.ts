import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { License, Policy } from '@keyward/core';
import {
  DOCUMENT_TYPES,
  generateKeyMaterial,
  keyIdOf,
  newNonce,
  privateKeyFromMaterial,
  signDocument,
} from '@keyward/core';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { adminRequest } from './support/admin-request.js';
import { KEYWARD, refusal } from './support/cli.js';
import { testDatabase } from './support/vendor-server.js';

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly adminToken: string | null;
  /** Everything the server printed on stdout. */
  stdout(): string;
}

function startServer(env: NodeJS.ProcessEnv, dataDir: string): Promise<Started> {
  const child = spawn(
    process.execPath,
    [KEYWARD, 'server', 'start', '--workers', '2', '--port', '0', '--json', '--data-dir', dataDir],
    // Log level silent: stdout holds the ready document alone.
    { env: { ...env, KEYWARD_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let text = '';
  return new Promise((resolvePromise, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      try {
        const ready = JSON.parse(text) as { url: string; adminToken: string | null };
        resolvePromise({ child, url: ready.url, adminToken: ready.adminToken, stdout: () => text });
      } catch {
        // Not the whole document yet.
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** One request on a connection of its own: the cluster hands each connection to the next worker. */
function onNewConnection(
  url: string,
  method: 'GET' | 'POST',
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolvePromise, reject) => {
    const sent = request(
      url,
      { method, agent: false, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () => resolvePromise({ status: response.statusCode ?? 0, text }));
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

/** The worker numbers that answer /healthz over `tries` new connections. */
async function answeringWorkers(url: string, tries = 20): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < tries; i++) {
    const answer = await onNewConnection(`${url}/healthz`, 'GET');
    assert.equal(answer.status, 200, answer.text);
    const { worker } = JSON.parse(answer.text) as { worker?: number };
    assert.ok(worker !== undefined, 'a worker says its number');
    seen.add(worker);
  }
  return seen;
}

function childrenOf(pid: number | undefined): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line !== '')
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A license request as a container signs it; the same body activates, then checks. */
function licenseRequest(serial: string, product: string): string {
  const container = generateKeyMaterial('ed25519');
  const request = signDocument(
    DOCUMENT_TYPES.licenseRequest,
    {
      serial,
      product,
      containerKey: container.publicKey,
      containerBoxKey: generateKeyMaterial('x25519').publicKey,
      fingerprintHash: 'a'.repeat(64),
      fingerprintParts: {},
      nonce: newNonce(),
      issuedAt: new Date().toISOString(),
      sequence: 0,
      consumed: {},
    },
    { kid: keyIdOf('ed25519', container.publicKey), privateKey: privateKeyFromMaterial(container) },
  );
  return JSON.stringify({ containerKey: container.publicKey, request });
}

describe('keyward server start --workers 2', () => {
  let root: string;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let server: Started;
  let token: string;
  let serial: string;
  let body: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'keyward-workers-'));
    dataDir = join(root, 'data');
    database = await testDatabase();
    env = {
      PATH: process.env.PATH,
      HOME: root,
      ...(database === undefined ? {} : { KEYWARD_DATABASE_URL: database.url }),
    };
    server = await startServer(env, dataDir);
  });

  after(async () => {
    server?.child.kill('SIGKILL');
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('a first start prints one ready document with the one admin token, once both workers listen', async () => {
    assert.match(server.adminToken ?? '', /^kw_admin_/);
    token = server.adminToken ?? '';
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:[1-9]\d*$/, 'the real port, not 0');
    assert.equal(childrenOf(server.child.pid).length, 2);
    assert.deepEqual([...(await answeringWorkers(server.url))].sort(), [1, 2]);
    await sleep(200);
    JSON.parse(server.stdout()); // still one document: no worker printed a second one
  });

  it('the admin API and the machine API answer through both workers', async () => {
    const admin = adminRequest(
      () => server.url,
      () => token,
    );
    await admin('POST', '/v1/products', { code: 'workers', name: 'Workers' });
    const policy = await admin<Policy>('POST', '/v1/policies', {
      product: 'workers',
      name: 'p',
      checkIntervalDays: 1,
    });
    const { licenses } = await admin<{ licenses: License[] }>('POST', '/v1/licenses', {
      policy: policy.id,
      count: 1,
    });
    serial = licenses[0]?.serial ?? '';
    body = licenseRequest(serial, 'workers');
    const activated = await onNewConnection(`${server.url}/v1/machine/activate`, 'POST', body);
    assert.equal(activated.status, 200, activated.text);
    const checks = await Promise.all(
      Array.from({ length: 60 }, () => onNewConnection(`${server.url}/v1/machine/check`, 'POST', body)),
    );
    assert.deepEqual(
      checks.filter((check) => check.status !== 200),
      [],
    );
  });

  it('a worker that dies is replaced, and the service goes on', async () => {
    const [victim, survivor] = childrenOf(server.child.pid);
    assert.ok(victim !== undefined && survivor !== undefined);
    process.kill(victim, 'SIGKILL');
    const replaced = await until('a replacement worker', () => {
      const now = childrenOf(server.child.pid);
      return now.length === 2 && !now.includes(victim) ? now : undefined;
    });
    assert.ok(replaced.includes(survivor));
    // The new worker takes a new number, and answers.
    await until('the new worker to answer', async () =>
      [...(await answeringWorkers(server.url, 6))].some((worker) => worker > 2) ? true : undefined,
    );
    const checks = await Promise.all(
      Array.from({ length: 20 }, () => onNewConnection(`${server.url}/v1/machine/check`, 'POST', body)),
    );
    assert.deepEqual(
      checks.filter((check) => check.status !== 200),
      [],
    );
  });

  it('when every worker dies at once, their replacements listen on the same address', async () => {
    const dead = childrenOf(server.child.pid);
    for (const pid of dead) process.kill(pid, 'SIGKILL');
    await until('two replacement workers', () => {
      const now = childrenOf(server.child.pid);
      return now.length === 2 && !now.some((pid) => dead.includes(pid)) ? now : undefined;
    });
    const checked = await until('an answer on the printed address', () =>
      onNewConnection(`${server.url}/v1/machine/check`, 'POST', body).catch(() => undefined),
    );
    assert.equal(checked.status, 200, checked.text);
  });

  it('SIGTERM stops every worker gracefully and exits 0, each writing the checks it batched', async () => {
    const workers = childrenOf(server.child.pid);
    assert.equal(workers.length, 2);
    await sleep(500); // past the batching interval: what is stored now is every check so far
    const before = await checkCount(serial);
    const checks = await Promise.all(
      Array.from({ length: 40 }, () => onNewConnection(`${server.url}/v1/machine/check`, 'POST', body)),
    );
    assert.ok(checks.every((check) => check.status === 200));
    const exited = new Promise<number | null>((resolvePromise) => server.child.once('exit', resolvePromise));
    server.child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.deepEqual(workers.filter(alive), []);
    assert.equal((await checkCount(serial)) - before, 40);
  });

  it('a second start on the same data directory is not a first run', async () => {
    server = await startServer(env, dataDir);
    assert.equal(server.adminToken, null);
    const response = await onNewConnection(`${server.url}/healthz`, 'GET');
    assert.equal(response.status, 200);
    const products = await fetch(`${server.url}/v1/products`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(products.status, 200);
    const exited = new Promise<number | null>((resolvePromise) => server.child.once('exit', resolvePromise));
    server.child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  async function checkCount(forSerial: string): Promise<number> {
    const query =
      'select b.check_count as n from bindings b join licenses l on l.id = b.license_id where l.serial = $1';
    if (database !== undefined) {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const result = await client.query(query, [forSerial]);
        return result.rows.reduce((sum: number, row: { n: number }) => sum + Number(row.n), 0);
      } finally {
        await client.end();
      }
    }
    const db = new SQLite(join(dataDir, 'keyward.db'), { readonly: true });
    try {
      const rows = db.prepare(query.replace('$1', '?')).all(forSerial) as { n: number }[];
      return rows.reduce((sum, row) => sum + row.n, 0);
    } finally {
      db.close();
    }
  }
});

describe('--workers refusals', () => {
  it('a first start on a port in use is refused, stops its workers, and keeps the admin token for the next start', async () => {
    const root = await mkdtemp(join(tmpdir(), 'keyward-workers-busy-'));
    const blocker = createServer();
    await new Promise<void>((resolvePromise) => blocker.listen(0, '127.0.0.1', resolvePromise));
    const address = blocker.address();
    const busyPort = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const dataDir = join(root, 'data');
      const args = ['server', 'start', '--workers', '2', '--port', String(busyPort), '--data-dir', dataDir];
      assert.equal(await refusal(args, { HOME: root, KEYWARD_LOG_LEVEL: 'silent' }), 'CONFIG_INVALID');
      blocker.close();
      const started = await startServer({ PATH: process.env.PATH, HOME: root }, dataDir);
      const exited = new Promise<number | null>((resolvePromise) =>
        started.child.once('exit', resolvePromise),
      );
      started.child.kill('SIGTERM');
      assert.match(started.adminToken ?? '', /^kw_admin_/);
      assert.equal(await exited, 0);
    } finally {
      blocker.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a count that is not a whole number from 1 to 64 is refused with CONFIG_INVALID', async () => {
    const root = await mkdtemp(join(tmpdir(), 'keyward-workers-bad-'));
    try {
      const env = { HOME: root };
      for (const count of ['0', '65', 'two', '1.5']) {
        const args = ['server', 'start', '--workers', count, '--port', '0', '--data-dir', root];
        assert.equal(await refusal(args, env), 'CONFIG_INVALID', count);
      }
      const args = ['server', 'start', '--port', '0', '--data-dir', root];
      assert.equal(await refusal(args, { ...env, KEYWARD_WORKERS: '-3' }), 'CONFIG_INVALID');
      // Workers share the database: each would have its own in memory.
      const inMemory = [...args, '--workers', '2', '--database-url', 'sqlite::memory:'];
      assert.equal(await refusal(inMemory, env), 'CONFIG_INVALID');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
