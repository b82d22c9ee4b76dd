import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditChainVerdict, AuditEntry } from '@keyward/core';
import { keyward } from './support/cli.js';
import { restoreOlderContainer, testComputer } from './support/computer.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

describe('the audit log: every admin change and machine security event, chained by hash', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  /** Entries are appended once the answer is sent: wait until `count` are there. */
  async function entries(count: number): Promise<AuditEntry[]> {
    for (let wait = 0; ; wait++) {
      const { entries: all } = await vendor.admin<{ entries: AuditEntry[] }>('GET', '/v1/audit?limit=1000');
      if (all.length >= count || wait === 100) return all;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('records who changed what, refusals included, and what machines were refused or released', async () => {
    const issued = await vendor.issue({ maxTransfers: 1 }, 2);
    const first = issued.licenses[0]?.serial ?? '';
    const secondId = issued.licenses[1]?.id ?? '';
    const { token: reader } = await vendor.admin<{ token: string }>('POST', '/v1/tokens', {
      name: 'auditor',
      scope: 'read',
    });
    const forbidden = await fetch(`${vendor.url}/v1/licenses/${secondId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'trying my luck' }),
    });
    assert.equal(forbidden.status, 403);
    await vendor.admin('POST', `/v1/licenses/${secondId}/revoke`, { reason: 'refunded, ticket 77' });

    const a = await testComputer('audit-a', issued.sdkConfig);
    const b = await testComputer('audit-b', issued.sdkConfig);
    assert.ok((await a.client.activate(first)).ok);
    const elsewhere = await b.client.activate(first);
    assert.equal(elsewhere.ok ? 'ok' : elsewhere.error.code, 'SERIAL_BOUND_ELSEWHERE');
    assert.ok((await a.client.deactivate()).ok);

    const log = await entries(9);
    const brief = log.map((entry) => [
      entry.actor.replace(/tok_\w+/, 'tok'),
      entry.action,
      entry.target,
      entry.outcome,
    ]);
    for (const expected of [
      ['token:tok (auditor)', 'revokeLicense', secondId, 'FORBIDDEN'],
      ['token:tok (bootstrap)', 'revokeLicense', secondId, 'ok'],
      ['machine', 'activate.refused', first, 'SERIAL_BOUND_ELSEWHERE'],
      ['machine', 'deactivate', first, 'ok'],
    ])
      assert.ok(
        brief.some((entry) => JSON.stringify(entry) === JSON.stringify(expected)),
        `${JSON.stringify(expected)} in ${JSON.stringify(brief)}`,
      );
    assert.ok(
      !brief.some((entry) => entry[1] === 'activate' || entry[1] === 'listLicenses'),
      'reads and grants are not logged',
    );
    const revoke = log.find((entry) => entry.action === 'revokeLicense' && entry.outcome === 'ok');
    assert.equal(revoke?.detail.reason, 'refunded, ticket 77');
    assert.ok(log.some((entry) => entry.action === 'createToken' && entry.outcome === 'ok'));
    assert.ok(
      log.every((entry) => !JSON.stringify(entry).includes(reader)),
      'no secret is logged',
    );
  });

  it('a container that blocked its license for tamper reports it when it asks to be activated again', async () => {
    const issued = await vendor.issue({ maxTransfers: null });
    const serial = issued.licenses[0]?.serial ?? '';
    const pc = await testComputer('audit-tamper', issued.sdkConfig);
    await restoreOlderContainer(pc, serial);
    assert.ok((await pc.restart().activate(serial)).ok, 'activating online again lifts the block');
    const reported = (await entries(1)).filter((entry) => entry.action === 'tamper.reported');
    assert.deepEqual(
      reported.map((entry) => [entry.actor, entry.target, entry.outcome]),
      [['machine', serial, 'ok']],
    );
  });

  it('appends racing for the same place all land, in one unbroken chain', async () => {
    const before = (await entries(0)).length;
    const record = (n: number) => ({
      at: vendor.clock.now().toISOString(),
      actor: 'system',
      action: 'race.test',
      target: `n${n}`,
      outcome: 'ok',
      detail: { n },
    });
    const appended = await Promise.all(
      Array.from({ length: 40 }, (_, n) => vendor.server.context.audit.append(record(n))),
    );
    assert.equal(new Set(appended.map((entry) => entry.seq)).size, 40);
    const verdict = await vendor.admin<AuditChainVerdict>('GET', '/v1/audit/verify');
    assert.deepEqual(verdict.intact ? verdict.entries : verdict, before + 40);
  });

  it('verify finds the chain intact, then names the entry an operator edited in the database', async () => {
    const intact = await vendor.admin<AuditChainVerdict>('GET', '/v1/audit/verify');
    assert.equal(intact.intact, true);
    const cli = await keyward(['admin', 'audit', 'verify'], {
      KEYWARD_URL: vendor.url,
      KEYWARD_TOKEN: vendor.token,
    });
    assert.equal(cli.code, 0);
    assert.match(cli.stdout, /intact/);

    const log = await entries(1);
    const refused = log.find((entry) => entry.action === 'activate.refused');
    assert.ok(refused);
    await vendor.server.context.db
      .updateTable('audit_log')
      .set({ outcome: 'ok' })
      .where('seq', '=', refused.seq)
      .execute();
    const broken = await vendor.admin<AuditChainVerdict>('GET', '/v1/audit/verify');
    assert.deepEqual(broken.intact ? 'intact' : broken.brokenAt, refused.seq);
    const failed = await keyward(['admin', 'audit', 'verify'], {
      KEYWARD_URL: vendor.url,
      KEYWARD_TOKEN: vendor.token,
    });
    assert.equal(failed.code, 1);
    assert.match(
      failed.stdout,
      new RegExp(`BROKEN at entry ${refused.seq}: entry ${refused.seq} was changed`),
    );
  });
});
