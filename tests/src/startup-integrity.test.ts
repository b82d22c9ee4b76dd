import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readServerConfig, StartRefused, startVendorServer } from '@keyward/server';
import { keyward } from './support/cli.js';

function configFor(dataDir: string) {
  const config = readServerConfig({
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_PORT: '0',
    KEYWARD_LOG_LEVEL: 'silent',
  });
  if (!config.ok) throw new Error(config.error.message);
  return config.value;
}

const DATABASE_FILES = ['keyward.db', 'keyward.db-wal', 'keyward.db-shm'];

async function vendorKids(dataDir: string): Promise<string[]> {
  const server = await startVendorServer(configFor(dataDir));
  try {
    const keys = (await (await fetch(`${server.url}/v1/vendor/keys`)).json()) as { keys: { kid: string }[] };
    return keys.keys.map((key) => key.kid).sort();
  } finally {
    await server.close();
  }
}

/** A start refused for the database it found: the code, and nothing created meanwhile. */
async function refusedStart(dataDir: string): Promise<string> {
  const refusal = await startVendorServer(configFor(dataDir)).then(
    () => assert.fail('the server started'),
    (error: unknown) => error,
  );
  assert.ok(refusal instanceof StartRefused, String(refusal));
  assert.match(refusal.error.message, /master\.key is there, but the database .*keyward\.db/);
  return refusal.error.code;
}

describe('a master key beside a database that lost the vendor', () => {
  let root: string;
  let dataDir: string;
  let backup: string;
  let kids: string[];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'keyward-integrity-'));
    dataDir = join(root, 'data');
    backup = join(root, 'backup');
    kids = await vendorKids(dataDir);
    await mkdir(backup);
    for (const file of await readdir(dataDir)) {
      if (file.startsWith('keyward.db')) await copyFile(join(dataDir, file), join(backup, file));
    }
  });
  after(() => rm(root, { recursive: true, force: true }));

  const removeDatabase = async () => {
    for (const file of DATABASE_FILES) await rm(join(dataDir, file), { force: true });
  };

  it('a deleted database is refused, and no new one is made in its place', async () => {
    await removeDatabase();
    assert.equal(await refusedStart(dataDir), 'DATABASE_MISSING');
    assert.equal(existsSync(join(dataDir, 'keyward.db')), false);
  });

  it('an empty database file is refused', async () => {
    await writeFile(join(dataDir, 'keyward.db'), '');
    assert.equal(await refusedStart(dataDir), 'DATABASE_MISSING');
    assert.equal((await stat(join(dataDir, 'keyward.db'))).size, 0);
  });

  it("another vendor's fresh database (no vendor keys) is refused", async () => {
    await removeDatabase();
    const other = join(root, 'other');
    await vendorKids(other);
    await rm(join(other, 'master.key'));
    // The other start's keys are removed too: a database with the schema but no vendor in it.
    const { default: SQLite } = await import('better-sqlite3');
    const db = new SQLite(join(other, 'keyward.db'));
    db.prepare('delete from vendor_keys').run();
    db.close();
    await copyFile(join(other, 'keyward.db'), join(dataDir, 'keyward.db'));
    assert.equal(await refusedStart(dataDir), 'DATABASE_MISSING');
  });

  it('the command line names the code and says what to do', async () => {
    await removeDatabase();
    const ran = await keyward(['server', 'start', '--port', '0', '--json', '--data-dir', dataDir], {
      HOME: root,
      KEYWARD_LOG_LEVEL: 'silent',
    });
    assert.equal(ran.code, 1, ran.stdout);
    const { error } = JSON.parse(ran.stderr) as { error: { code: string; message: string } };
    assert.equal(error.code, 'DATABASE_MISSING');
    assert.match(error.message, /Restore the database from a backup, or move master\.key away/);
  });

  it('the restored database starts with the same vendor keys', async () => {
    await removeDatabase();
    for (const file of await readdir(backup)) await copyFile(join(backup, file), join(dataDir, file));
    assert.deepEqual(await vendorKids(dataDir), kids);
  });
});

describe('a damaged database', () => {
  it('is refused at start (DATABASE_DAMAGED), rather than answering for the licenses it lost', async () => {
    const root = await mkdtemp(join(tmpdir(), 'keyward-damaged-'));
    try {
      const dataDir = join(root, 'data');
      await vendorKids(dataDir);
      const file = join(dataDir, 'keyward.db');
      const pageSize = 4096;
      const pages = Math.floor((await stat(file)).size / pageSize);
      assert.ok(pages > 12, `only ${pages} pages`);
      // Pages 4 to 11 (tables and indexes) overwritten, as a failing disk might leave them.
      const handle = await open(file, 'r+');
      await handle.write(Buffer.alloc(8 * pageSize, 0xa5), 0, 8 * pageSize, 3 * pageSize);
      await handle.close();
      const refusal = await startVendorServer(configFor(dataDir)).then(
        () => assert.fail('the server started'),
        (error: unknown) => error,
      );
      assert.ok(refusal instanceof StartRefused, String(refusal));
      assert.equal(refusal.error.code, 'DATABASE_DAMAGED');
      assert.match(refusal.error.message, /keyward\.db is damaged .*restore it from a backup/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('file modes of the data directory', () => {
  it('the data directory is its owner’s alone, the database files readable by their owner only', async () => {
    const root = await mkdtemp(join(tmpdir(), 'keyward-modes-'));
    try {
      const dataDir = join(root, 'data');
      const server = await startVendorServer(configFor(dataDir));
      await server.close();
      // A data directory and database files left open to everyone, as earlier versions did.
      await chmod(dataDir, 0o755);
      for (const file of DATABASE_FILES) {
        await writeFile(join(dataDir, file), '', { flag: 'a' });
        await chmod(join(dataDir, file), 0o644);
      }
      const restarted = await startVendorServer(configFor(dataDir));
      try {
        assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
        for (const file of [...DATABASE_FILES, 'master.key']) {
          assert.equal((await stat(join(dataDir, file))).mode & 0o777, 0o600, file);
        }
      } finally {
        await restarted.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
