// Scale-out benchmark: checks per second with 1, 2 and 3 server processes on one PostgreSQL
// database, and with one process on SQLite, each with KEYWARD_BENCH_LARGE licenses seeded.
// Run with `npm run bench:scale` (a PostgreSQL server at KEYWARD_BENCH_DATABASE_URL).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentsHash, generateSerial, initialContents, newId } from '@keyward/core';
import autocannon from 'autocannon';
import pg from 'pg';
import { licenseRequestBody, productAndPolicy, seedLicenses } from './lib/fixtures.mjs';
import { KEYWARD, startJsonProcess, startVendor, stop } from './lib/processes.mjs';

const LARGE = Number(process.env.KEYWARD_BENCH_LARGE ?? 1_000_000);
const SECONDS = Number(process.env.KEYWARD_BENCH_SECONDS ?? 5);
const ADMIN_URL =
  process.env.KEYWARD_BENCH_DATABASE_URL ?? 'postgres://keyward:keyward@127.0.0.1:5432/postgres';
const log = (text) => process.stderr.write(`${text}\n`);

async function query(url, text, values) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** Licenses straight into PostgreSQL, a thousand rows a statement: seeding, not measuring. */
async function seedPostgres(url, policy, count) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const contents = initialContents(policy, null);
  const json = JSON.stringify(contents);
  const hash = contentsHash(contents);
  const now = new Date().toISOString();
  try {
    for (let done = 0; done < count; done += 1000) {
      const size = Math.min(1000, count - done);
      const ids = Array.from({ length: size }, () => newId('lic'));
      const serials = Array.from({ length: size }, () => generateSerial());
      await client.query('begin');
      await client.query(
        `insert into licenses (id, serial, product_id, policy_id, status, expires_at, transfers_used, note, created_at)
         select unnest($1::text[]), unnest($2::text[]), $3, $4, 'active', null, 0, null, $5`,
        [ids, serials, policy.productId, policy.id, now],
      );
      await client.query(
        `insert into license_contents (license_id, sequence, contents, contents_hash, initial_hash, updated_at)
         select unnest($1::text[]), 0, $2, $3, $3, $4`,
        [ids, json, hash, now],
      );
      await client.query('commit');
    }
  } finally {
    await client.end();
  }
}

function startNode(env, dataDir) {
  return startJsonProcess(
    [KEYWARD, 'server', 'start', '--port', '0', '--json', '--log-level', 'silent', '--data-dir', dataDir],
    { env },
  );
}

/** Load on every node at once, the 50 connections shared among them; requests per second summed. */
async function checkLoad(urls, body) {
  const results = await Promise.all(
    urls.map((url) =>
      autocannon({
        url: `${url}/v1/machine/check`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections: Math.round(50 / urls.length),
        duration: SECONDS,
      }),
    ),
  );
  return {
    requestsPerSecond: Math.round(results.reduce((sum, r) => sum + r['2xx'] / r.duration, 0)),
    p99Ms: Math.max(...results.map((r) => r.latency.p99)),
  };
}

const root = await mkdtemp(join(tmpdir(), 'keyward-scale-'));
const dbName = `keyward_bench_${randomBytes(4).toString('hex')}`;
const dbUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();
try {
  await query(ADMIN_URL, `create database ${dbName}`);
  const env = {
    ...process.env,
    KEYWARD_DATABASE_URL: dbUrl,
    KEYWARD_MASTER_KEY: randomBytes(32).toString('hex'),
  };
  const first = await startNode(env, join(root, 'node-0'));
  const server = { url: first.ready.url, adminToken: first.ready.adminToken };
  const { policy } = await productAndPolicy(server);
  await stop(first.child);
  log(`seeding ${LARGE.toLocaleString()} licenses in PostgreSQL...`);
  await seedPostgres(dbUrl, policy, LARGE);
  await query(dbUrl, 'analyze');
  const { rows } = await query(dbUrl, 'select serial from licenses order by id limit 1 offset $1', [
    Math.floor(LARGE / 2),
  ]);
  const body = licenseRequestBody(rows[0].serial);

  const figures = {};
  for (const count of [1, 2, 3]) {
    const nodes = await Promise.all(
      Array.from({ length: count }, (_, i) => startNode(env, join(root, `node-${i}`))),
    );
    const activated = await fetch(`${nodes[0].ready.url}/v1/machine/activate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    if (!activated.ok) throw new Error(await activated.text());
    log(`checks with ${count} process(es) on PostgreSQL...`);
    figures[`postgres${count}`] = await checkLoad(
      nodes.map((n) => n.ready.url),
      body,
    );
    await Promise.all(nodes.map((n) => stop(n.child)));
  }

  log(`seeding ${LARGE.toLocaleString()} licenses in SQLite...`);
  const sqliteDir = join(root, 'sqlite');
  const bootstrap = await startVendor(sqliteDir);
  const sqliteServer = { url: bootstrap.ready.url, adminToken: bootstrap.ready.adminToken };
  const sqlitePolicy = (await productAndPolicy(sqliteServer)).policy;
  await stop(bootstrap.child);
  const serials = seedLicenses(sqliteDir, sqlitePolicy, LARGE);
  const sqliteNode = await startVendor(sqliteDir);
  const sqliteBody = licenseRequestBody(serials[Math.floor(LARGE / 2)]);
  await fetch(`${sqliteNode.ready.url}/v1/machine/activate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: sqliteBody,
  });
  log('checks with 1 process on SQLite...');
  figures.sqlite1 = await checkLoad([sqliteNode.ready.url], sqliteBody);
  await stop(sqliteNode.child);

  const base = figures.postgres1.requestsPerSecond;
  const results = {
    at: new Date().toISOString(),
    cpus: cpus().length,
    licenses: LARGE,
    seconds: SECONDS,
    figures,
  };
  await writeFile('bench/scale-results.json', `${JSON.stringify(results, null, 2)}\n`);
  console.table(
    Object.fromEntries(
      Object.entries(figures).map(([name, f]) => [
        name,
        {
          'req/s': f.requestsPerSecond,
          'p99 ms': f.p99Ms,
          'x 1 process on PostgreSQL': +(f.requestsPerSecond / base).toFixed(2),
        },
      ]),
    ),
  );
} finally {
  await query(ADMIN_URL, `drop database if exists ${dbName} with (force)`).catch(() => undefined);
  await rm(root, { recursive: true, force: true });
}
