import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LicenseView } from '@keyward/site';
import { json, keyward } from './support/cli.js';
import { type StartedSite, startSiteProcess, stopSiteProcess } from './support/site-process.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

describe('keyward site, end to end', () => {
  let vendor: TestVendor;
  let root: string;
  let site: ChildProcess;
  let started: StartedSite;
  let env: Record<string, string>;

  before(async () => {
    vendor = await startTestVendor();
    root = await mkdtemp(join(tmpdir(), 'keyward-site-cli-'));
    const running = startSiteProcess(join(root, 'site'));
    site = running.process;
    started = await running.started;
    env = {
      HOME: root,
      KEYWARD_URL: vendor.url,
      KEYWARD_TOKEN: vendor.token,
      KEYWARD_SITE_URL: started.url,
      KEYWARD_SITE_TOKEN: started.adminToken ?? '',
    };
  });
  after(async () => {
    await stopSiteProcess(site);
    await vendor.close();
    await rm(root, { recursive: true, force: true });
  });

  it('registers the site, adds, lists, exports and removes a key file, and refuses an edited one', async () => {
    assert.equal(started.certificate, null);
    const certificateFile = join(root, 'site-certificate.json');
    const registered = await json<{ site: { id: string } }>(
      [
        'admin',
        'site',
        'register',
        '--name',
        'Plant 1',
        '--site-key',
        started.siteKey,
        '--out',
        certificateFile,
      ],
      env,
    );
    await json(['site', 'certificate', 'install', certificateFile], env);
    const { licenses } = await vendor.issue({ items: { cad: { nodes: 25 } } });
    const serial = licenses[0]?.serial ?? '';
    const keyFile = join(root, 'key.txt');
    await json(['admin', 'site', 'license', registered.site.id, '--license', serial, '--out', keyFile], env);

    const added = await json<LicenseView>(['site', 'license', 'add', keyFile], env);
    assert.deepEqual([added.serial, added.items, added.origin], [serial, { cad: { nodes: 25 } }, 'manual']);
    const listed = await keyward(['site', 'license', 'list'], env);
    assert.match(listed.stdout, new RegExp(`${serial}.*cad\\.nodes=25.*origin: added manually`));

    const exported = join(root, 'exported.txt');
    await json(['site', 'license', 'export', serial, '--out', exported], env);
    assert.equal(await readFile(exported, 'utf8'), await readFile(keyFile, 'utf8'));
    await json(['site', 'license', 'remove', serial], env);
    assert.deepEqual((await json<{ licenses: unknown[] }>(['site', 'license', 'list'], env)).licenses, []);
    assert.equal(await readFile(exported, 'utf8'), await readFile(keyFile, 'utf8'));

    const edited = join(root, 'edited.txt');
    await writeFile(
      edited,
      (await readFile(keyFile, 'utf8')).replace(/^Serial: .*$/m, 'Serial: AAAAA-AAAAA'),
    );
    const refused = await keyward(['site', 'license', 'add', edited, '--json'], env);
    assert.notEqual(refused.code, 0);
    assert.equal(JSON.parse(refused.stderr).error.code, 'FILE_CORRUPTED');
  });

  it('keeps its key, certificate and licenses across a restart', async () => {
    const { licenses } = await vendor.issue({ items: { cad: { nodes: 3 } } });
    const serial = licenses[0]?.serial ?? '';
    const shown = await json<{ certificate: { siteId: string } }>(['site', 'show'], env);
    const keyFile = join(root, 'kept.txt');
    await json(
      ['admin', 'site', 'license', shown.certificate.siteId, '--license', serial, '--out', keyFile],
      env,
    );
    await json(['site', 'license', 'add', keyFile], env);

    await stopSiteProcess(site);
    const running = startSiteProcess(join(root, 'site'));
    site = running.process;
    const again = await running.started;
    assert.deepEqual(
      [again.siteKey, again.adminToken, again.certificate?.siteId],
      [started.siteKey, null, shown.certificate.siteId],
    );
    const restarted = { ...env, KEYWARD_SITE_URL: again.url };
    const { licenses: held } = await json<{ licenses: LicenseView[] }>(
      ['site', 'license', 'list'],
      restarted,
    );
    assert.deepEqual(
      held.map((license) => license.serial),
      [serial],
    );
  });
});
