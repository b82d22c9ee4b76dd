import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReceivedError, Result } from '@keyward/core';
import SQLite from 'better-sqlite3';
import { testComputer } from './support/computer.js';
import { recordingFetch } from './support/recording-fetch.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);

describe('a database that fails under a running server', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('answers 503 DATABASE_UNAVAILABLE, never an answer about the license, and the computer stays licensed', async () => {
    const issued = await vendor.issue({ checkIntervalDays: 1, graceDays: 3 });
    const serial = issued.licenses[0]?.serial ?? '';
    const network = recordingFetch();
    const pc = await testComputer('storage-fault', issued.sdkConfig, {
      now: () => vendor.clock.now(),
      fetch: network.fetch,
    });
    const activated = await pc.client.activate(serial);
    assert.ok(activated.ok, codeOf(activated));

    // The fault, injected where the check reads: a damaged page, as better-sqlite3 reports it.
    const bindings = vendor.server.context.bindings;
    const findSerial = bindings.findSerial;
    bindings.findSerial = async () => {
      throw new SQLite.SqliteError('database disk image is malformed', 'SQLITE_CORRUPT');
    };
    try {
      vendor.clock.advanceDays(2);
      const check = await pc.restart().check();
      assert.ok(check.ok, codeOf(check));
      assert.deepEqual([check.value.mode, check.value.online], ['grace', false]);

      const asked = network.calls.at(-1);
      assert.equal(asked?.path, '/v1/machine/check');
      const response = await fetch(`${vendor.url}/v1/machine/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: asked?.body,
      });
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.equal(response.headers.get('retry-after'), '5');
      const problem = (await response.json()) as { code: string; requestId: string; refusal?: unknown };
      assert.equal(problem.code, 'DATABASE_UNAVAILABLE');
      assert.match(problem.requestId, /\S/);
      assert.equal(problem.refusal, undefined, 'not a signed refusal: nothing about the license is said');
    } finally {
      bindings.findSerial = findSerial;
    }
    const back = await pc.restart().check();
    assert.ok(back.ok, codeOf(back));
    assert.deepEqual([back.value.mode, back.value.online], ['licensed', true]);
  });
});
