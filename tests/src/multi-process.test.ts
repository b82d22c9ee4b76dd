import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SdkConfig } from '@keyward/client';
import type { License, Policy } from '@keyward/core';
import pg from 'pg';
import { adminRequest } from './support/admin-request.js';
import { testComputer } from './support/computer.js';
import { testDatabase } from './support/vendor-server.js';
import { eventOf, webhookReceiver } from './support/webhook-receiver.js';

const KEYWARD = resolve('packages/cli/bin/keyward.js');
const onPostgres = Boolean(process.env.KEYWARD_TEST_DATABASE_URL);

interface Node {
  readonly child: ChildProcess;
  readonly url: string;
  readonly adminToken: string | null;
}

function startNode(env: NodeJS.ProcessEnv, dataDir: string): Promise<Node> {
  const child = spawn(
    process.execPath,
    [KEYWARD, 'server', 'start', '--port', '0', '--json', '--log-level', 'silent', '--data-dir', dataDir],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolvePromise, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      try {
        const ready = JSON.parse(text) as { url: string; adminToken: string | null };
        resolvePromise({ child, url: ready.url, adminToken: ready.adminToken });
      } catch {
        // Not the whole document yet.
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

describe('three server processes on one PostgreSQL database', {
  skip: onPostgres ? false : 'runs with KEYWARD_TEST_DATABASE_URL',
}, () => {
  let nodes: Node[] = [];
  let token: string;
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let sql: pg.Client;
  let root: string;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;

  const admin = <T>(target: Node, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> =>
    adminRequest(
      () => target.url,
      () => token,
    )<T>(method, path, body);
  const node = (index: number): Node => nodes[index % nodes.length] ?? assert.fail('no node');

  before(async () => {
    database = await testDatabase();
    assert.ok(database);
    root = await mkdtemp(join(tmpdir(), 'keyward-nodes-'));
    const env = {
      PATH: process.env.PATH,
      HOME: root,
      KEYWARD_DATABASE_URL: database.url,
      KEYWARD_MASTER_KEY: randomBytes(32).toString('hex'),
      KEYWARD_JOB_LEASE_SECONDS: '2',
    };
    // Started together: the first-start tasks must happen once.
    nodes = await Promise.all([0, 1, 2].map((index) => startNode(env, join(root, `node-${index}`))));
    const tokens = nodes.map((n) => n.adminToken).filter((t): t is string => t !== null);
    assert.equal(tokens.length, 1, 'one admin token among three first starts');
    token = tokens[0] ?? '';
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    receiver = await webhookReceiver();
  });

  after(async () => {
    for (const n of nodes) n.child.kill('SIGKILL');
    await sql?.end();
    await receiver?.close();
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  async function issue(settings: Partial<Policy>, count: number) {
    const code = `multi-${randomBytes(3).toString('hex')}`;
    await admin(node(0), 'POST', '/v1/products', { code, name: code });
    const policy = await admin<Policy>(node(1), 'POST', '/v1/policies', {
      product: code,
      name: 'p',
      ...settings,
    });
    const { licenses } = await admin<{ licenses: License[] }>(node(2), 'POST', '/v1/licenses', {
      policy: policy.id,
      count,
    });
    const sdkConfig = await admin<SdkConfig>(node(0), 'GET', `/v1/products/${code}/sdk-config`);
    return { code, licenses, sdkConfig };
  }
  const through = (config: SdkConfig, index: number): SdkConfig => ({
    ...config,
    serverUrl: node(index).url,
  });

  it('the vendor keys were made once', async () => {
    const keys = await sql.query(
      'select kind, count(*)::int as n from vendor_keys group by kind order by kind',
    );
    assert.deepEqual(keys.rows, [
      { kind: 'ed25519', n: 1 },
      { kind: 'x25519', n: 1 },
    ]);
  });

  it('one serial activated from 30 computers through all three processes at once is bound once', async () => {
    const { licenses, sdkConfig } = await issue({}, 1);
    const serial = licenses[0]?.serial ?? '';
    const computers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => testComputer(`multi-${i}`, through(sdkConfig, i))),
    );
    const results = await Promise.all(computers.map((pc) => pc.client.activate(serial)));
    assert.equal(results.filter((result) => result.ok).length, 1);
    assert.ok(results.every((result) => result.ok || result.error.code === 'SERIAL_BOUND_ELSEWHERE'));
    const bindings = await sql.query('select count(*)::int as n from bindings where license_id = $1', [
      licenses[0]?.id,
    ]);
    assert.equal(bindings.rows[0].n, 1);
  });

  it('a deactivation sent to all three processes at once is counted once, every sender seeing that one release, round after round', async () => {
    const { licenses, sdkConfig } = await issue({ maxTransfers: 10 }, 1);
    const serial = licenses[0]?.serial ?? '';
    const pcs = await Promise.all(
      [0, 1, 2].map((i) =>
        testComputer(`deact-${i}`, through(sdkConfig, i), {
          fingerprint: 'same-computer',
          home: join(root, 'deact-home'),
          anchorDir: join(root, 'deact-anchor'),
        }),
      ),
    );
    for (let round = 1; round <= 3; round++) {
      assert.ok((await pcs[0]?.restart().activate(serial))?.ok);
      const results = await Promise.all(pcs.map((pc) => pc.restart().deactivate()));
      // Two-phase transfer: whoever finds the container still releasing sends the release again
      // and gets the receipt of the one release that happened; whoever comes after it finished
      // finds nothing left to transfer.
      const outcomes = results.map((result) => (result.ok ? result.value.transfersUsed : result.error.code));
      assert.ok(outcomes.includes(round), `round ${round}: ${outcomes}`);
      assert.ok(
        outcomes.every((outcome) => outcome === round || outcome === 'NOT_ACTIVATED'),
        `round ${round}: ${outcomes}`,
      );
      const used = await sql.query('select transfers_used from licenses where id = $1', [licenses[0]?.id]);
      assert.equal(used.rows[0].transfers_used, round);
    }
  });

  it('updates issued through all three processes at once leave one exact chain, which the key then pulls', async () => {
    const { licenses, sdkConfig } = await issue({ counters: { exports: 0 } }, 1);
    const serial = licenses[0]?.serial ?? '';
    const pc = await testComputer('multi-updates', through(sdkConfig, 0));
    assert.ok((await pc.client.activate(serial)).ok);
    const attempts = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        fetch(`${node(i).url}/v1/licenses/${serial}/updates`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ operations: [{ op: 'increment-counter', name: 'exports', by: 1 }] }),
        }).then((response) => response.status),
      ),
    );
    const issued = attempts.filter((status) => status === 201).length;
    assert.ok(issued >= 1);
    assert.ok(attempts.every((status) => status === 201 || status === 409));
    const steps = await sql.query(
      'select to_sequence from license_updates where license_id = $1 order by to_sequence',
      [licenses[0]?.id],
    );
    assert.deepEqual(
      steps.rows.map((row: { to_sequence: number }) => row.to_sequence),
      Array.from({ length: issued }, (_, i) => i + 1),
    );
    const pulled = await pc.restart({ config: through(sdkConfig, 2) }).updates.pull();
    assert.ok(pulled.ok && pulled.value.length === issued);
    const status = await pc.restart().status();
    assert.ok(
      status.ok && status.value.sequence === issued && status.value.contents.counters.exports === issued,
    );
  });

  it('an order submitted online from three keys through all three processes at once is processed once', async () => {
    const { code, licenses, sdkConfig } = await issue({ items: { cad: { servers: 1 } } }, 3);
    const pcs = await Promise.all(
      licenses.map((_, i) => testComputer(`order-race-${i}`, through(sdkConfig, i))),
    );
    for (const [i, pc] of pcs.entries()) assert.ok((await pc.client.activate(licenses[i]?.serial)).ok);
    await admin(node(0), 'POST', '/v1/dealers', {
      login: code,
      name: code,
      email: `${code}@dealers.example`,
    });
    for (let round = 0; round < 3; round++) {
      const order = await admin<{ id: string }>(node(1), 'POST', '/v1/orders', {
        dealer: code,
        product: code,
        items: [{ item: 'cad', kind: 'servers', count: 1 }],
      });
      const { authorizationNumber } = await admin<{ authorizationNumber: string }>(
        node(2),
        'POST',
        `/v1/orders/${order.id}/authorize`,
        {},
      );
      const results = await Promise.all(
        pcs.map((pc) => pc.restart().updates.upgradeByOrder(order.id, authorizationNumber)),
      );
      const codes = results.map((result) => (result.ok ? 'ok' : result.error.code));
      assert.equal(codes.filter((c) => c === 'ok').length, 1, `round ${round}: ${codes}`);
      assert.ok(
        codes.every((c) => c === 'ok' || c === 'ORDER_PROCESSED'),
        `round ${round}: ${codes}`,
      );
      const updates = await sql.query('select count(*)::int as n from license_updates where order_ref = $1', [
        order.id,
      ]);
      assert.equal(updates.rows[0].n, 1);
    }
  });

  it('webhooks are delivered once per event; a process killed mid-delivery leaves it to another, with the same event id', async () => {
    await admin(node(0), 'POST', '/v1/webhooks', {
      url: receiver.url,
      events: ['license.activated', 'license.suspended'],
    });
    const { licenses, sdkConfig } = await issue({}, 4);
    for (const [i, license] of licenses.slice(0, 3).entries()) {
      const pc = await testComputer(`hooked-${i}`, through(sdkConfig, i));
      assert.ok((await pc.client.activate(license.serial)).ok);
    }
    for (const license of licenses.slice(0, 3)) {
      await receiver.waitFor(
        (event) => event.type === 'license.activated' && JSON.stringify(event).includes(license.id),
      );
    }
    const activatedIds = receiver.received.map(eventOf).filter((event) => event.type === 'license.activated');
    assert.equal(new Set(activatedIds.map((event) => event.id)).size, 3);
    assert.equal(activatedIds.length, 3, 'each event delivered once');

    // The next delivery stalls at the receiver; the process holding it is killed.
    receiver.stall(1);
    const victim = licenses[3] ?? assert.fail('license');
    await admin(node(1), 'POST', `/v1/licenses/${victim.serial}/suspend`, {});
    const stalled = await receiver.waitForStalled();
    const holder = await sql.query(
      "select locked_by from jobs where kind = 'webhook.deliver' and state = 'pending' and locked_by is not null",
    );
    const pid = Number(/^worker-(\d+)-/.exec(holder.rows[0]?.locked_by ?? '')?.[1]);
    const killed = nodes.find((n) => n.child.pid === pid) ?? assert.fail(`no node has pid ${pid}`);
    killed.child.kill('SIGKILL');
    const delivered = await receiver.waitFor(
      (event) => event.type === 'license.suspended' && event.id === stalled.id,
      20_000,
    );
    assert.equal(eventOf(delivered).id, stalled.id);
    const suspendedEvents = receiver.received
      .map(eventOf)
      .filter((event) => event.type === 'license.suspended');
    assert.deepEqual(
      new Set(suspendedEvents.map((event) => event.id)),
      new Set([stalled.id]),
      'the same event, never a different one',
    );
    nodes = nodes.filter((n) => n !== killed);
  });
});
