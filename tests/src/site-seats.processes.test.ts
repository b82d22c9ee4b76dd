import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SiteLeaseClient } from '@keyward/client';
import { adminRequest } from './support/admin-request.js';
import { type StartedSite, startSiteProcess, stopSiteProcess } from './support/site-process.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

/**
 * Two site server processes on one database: nothing in either process keeps the count, so only
 * the database's unique slot can keep 200 racing stations to the license's 50 seats.
 */
describe('seats, two site processes on one database', () => {
  let vendor: TestVendor;
  let root: string;
  const processes: ChildProcess[] = [];
  let first: StartedSite;
  let second: StartedSite;
  let issued: Issued;

  before(async () => {
    vendor = await startTestVendor();
    root = await mkdtemp(join(tmpdir(), 'keyward-site-shared-'));
    const dataDir = join(root, 'site');
    const a = startSiteProcess(dataDir);
    processes.push(a.process);
    first = await a.started;
    const token = first.adminToken ?? '';
    const admin = adminRequest(
      () => first.url,
      () => token,
    );
    const certificate = await vendor.admin<{ site: { id: string } }>('POST', '/v1/sites', {
      name: 'Shared',
      siteKey: first.siteKey,
    });
    await admin('POST', '/v1/site/certificate', certificate);
    issued = await vendor.issue({ items: { cad: { nodes: 50 } } });
    const { file } = await vendor.admin<{ file: string }>(
      'POST',
      `/v1/sites/${certificate.site.id}/licenses`,
      {
        license: issued.licenses[0]?.serial,
      },
    );
    await admin('POST', '/v1/site/licenses', { file });
    const b = startSiteProcess(dataDir);
    processes.push(b.process);
    second = await b.started;
  });
  after(async () => {
    for (const child of processes) await stopSiteProcess(child);
    await vendor.close();
    await rm(root, { recursive: true, force: true });
  });

  it('200 stations racing through both processes get exactly 50 leases', async () => {
    const stations = Array.from(
      { length: 200 },
      (_, n) =>
        new SiteLeaseClient({
          siteUrl: n % 2 === 0 ? first.url : second.url,
          config: issued.sdkConfig,
          stationId: `shared-${n}`,
        }),
    );
    const outcomes = await Promise.all(stations.map((station) => station.lease('cad', 'nodes')));
    const refusals = new Set(outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.error.code])));
    assert.equal(outcomes.filter((outcome) => outcome.ok).length, 50);
    assert.deepEqual(refusals, new Set(['NO_SEAT_AVAILABLE']));
  });
});
