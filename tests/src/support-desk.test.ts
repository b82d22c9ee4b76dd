import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { AUDIT_REASON_MAX_LENGTH, generateSerial, type License } from '@keyward/core';
import { testComputer } from './support/computer.js';
import { machineState, startTestVendor, type TestVendor } from './support/vendor-server.js';
import { webhookReceiver } from './support/webhook-receiver.js';

interface Event {
  readonly type: string;
  readonly detail: { reason?: string; by?: { id: string; name: string }; [key: string]: unknown };
}

interface Shown {
  readonly license: License;
  readonly maxTransfers: number | null;
  readonly binding: { id: string; fingerprintHash: string } | null;
  readonly history: Event[];
}

interface Refused {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** An admin POST, answered or refused: its status and, when refused, its code. */
async function adminPost(vendor: TestVendor, path: string, body: unknown) {
  const response = await fetch(`${vendor.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${vendor.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const payload = (await response.json()) as { code?: string; message?: string };
  return { response, payload };
}

/** An admin request expected to be refused: its status and code, read as problem details. */
async function refusedAdmin(vendor: TestVendor, path: string, body: unknown): Promise<Refused> {
  const { response, payload } = await adminPost(vendor, path, body);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  return { status: response.status, code: payload.code ?? '', message: payload.message ?? '' };
}

const show = (vendor: TestVendor, serial: string) => vendor.admin<Shown>('GET', `/v1/licenses/${serial}`);

/** The admin token the test vendor printed, as the history must name it. */
async function tokenIdentity(vendor: TestVendor): Promise<{ id: string; name: string }> {
  return vendor.server.context.db.selectFrom('api_tokens').select(['id', 'name']).executeTakeFirstOrThrow();
}

describe('support desk: the vendor releases a binding without counting a transfer', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('A dies, B is refused, the vendor releases with a reason, B activates; no transfer counted, the history says who and why', async () => {
    const issued = await vendor.issue({ maxTransfers: 1, checkIntervalDays: 1 });
    const serial = issued.licenses[0]?.serial ?? '';
    const a = await testComputer('desk-a', issued.sdkConfig);
    const b = await testComputer('desk-b', issued.sdkConfig);
    assert.ok((await a.client.activate(serial)).ok);
    const boundToA = (await show(vendor, serial)).binding;
    assert.ok(boundToA);

    const refused = await b.client.activate(serial);
    assert.equal(refused.ok ? 'ok' : refused.error.code, 'SERIAL_BOUND_ELSEWHERE');

    const released = await vendor.admin<{
      license: License;
      released: { id: string; fingerprintHash: string };
    }>('POST', `/v1/licenses/${serial}/release`, { reason: 'Mainboard of PC A died, ticket 4711' });
    assert.equal(released.released.id, boundToA.id, 'the answer names the binding that was released');
    assert.equal(released.license.transfersUsed, 0);

    const activated = await b.restart().activate(serial);
    assert.ok(activated.ok, activated.ok ? '' : activated.error.message);
    assert.deepEqual(
      [activated.value.status.license?.transfersUsed, activated.value.status.license?.maxTransfers],
      [0, 1],
      'B still has its one transfer',
    );

    const shown = await show(vendor, serial);
    assert.equal(shown.license.transfersUsed, 0, 'the transfer count did not change');
    assert.notEqual(shown.binding?.id, boundToA.id, 'bound to B now');
    assert.deepEqual(
      shown.history.map((event) => event.type),
      ['created', 'activated', 'activate.refused', 'released', 'activated'],
    );
    const event = shown.history[3];
    assert.equal(event?.detail.reason, 'Mainboard of PC A died, ticket 4711');
    assert.deepEqual(event?.detail.by, await tokenIdentity(vendor));
    assert.equal(event?.detail.by?.name, 'bootstrap');
    assert.equal(event?.detail.bindingId, boundToA.id);

    // A comes back from the dead: its next online check finds the serial on B and freezes.
    vendor.clock.advanceDays(2);
    try {
      const late = await a.restart({ now: vendor.clock.now }).check();
      assert.equal(late.ok ? 'ok' : late.error.code, 'SERIAL_BOUND_ELSEWHERE');
      const status = await a.restart({ now: vendor.clock.now }).status();
      assert.ok(status.ok && status.value.state === 'frozen');
    } finally {
      vendor.clock.advanceDays(-2);
    }
  });

  it('until another computer binds it, the released computer may bind the serial again', async () => {
    const issued = await vendor.issue({ checkIntervalDays: 1 });
    const serial = issued.licenses[0]?.serial ?? '';
    const a = await testComputer('desk-back', issued.sdkConfig);
    assert.ok((await a.client.activate(serial)).ok);
    await vendor.admin('POST', `/v1/licenses/${serial}/release`, { reason: 'customer asked by mistake' });
    vendor.clock.advanceDays(2);
    try {
      const back = await a.restart({ now: vendor.clock.now }).check();
      assert.ok(back.ok && back.value.online, 'the old computer checks online and is bound again');
    } finally {
      vendor.clock.advanceDays(-2);
    }
    assert.ok((await show(vendor, serial)).binding);
  });

  it('refuses to release a serial no computer holds, with NOT_BOUND, and changes nothing', async () => {
    const issued = await vendor.issue({});
    const serial = issued.licenses[0]?.serial ?? '';
    const state = await machineState(vendor);
    const refused = await refusedAdmin(vendor, `/v1/licenses/${serial}/release`, { reason: 'just in case' });
    assert.deepEqual([refused.status, refused.code], [409, 'NOT_BOUND']);
    assert.match(refused.message, /not activated on any computer/);
    assert.equal(await machineState(vendor), state);
  });
});

describe('support desk: the vendor grants transfers above the policy limit', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('a policy allowing none refuses the transfer; one granted transfer works once; the receipt and grant report the effective limit', async () => {
    const issued = await vendor.issue({ maxTransfers: 0 });
    const serial = issued.licenses[0]?.serial ?? '';
    const a = await testComputer('grant-a', issued.sdkConfig);
    const b = await testComputer('grant-b', issued.sdkConfig);
    const activated = await a.client.activate(serial);
    assert.ok(activated.ok && activated.value.status.license?.maxTransfers === 0);
    const refused = await a.client.deactivate();
    assert.equal(refused.ok ? 'ok' : refused.error.code, 'TRANSFER_LIMIT_REACHED');

    const granted = await vendor.admin<{ license: License; maxTransfers: number | null }>(
      'POST',
      `/v1/licenses/${serial}/transfers`,
      { add: 1, reason: 'RAM upgrade changed the fingerprint' },
    );
    assert.deepEqual([granted.license.extraTransfers, granted.maxTransfers], [1, 1]);

    const moved = await a.restart().deactivate();
    assert.ok(moved.ok, moved.ok ? '' : moved.error.message);
    assert.deepEqual([moved.value.transfersUsed, moved.value.maxTransfers], [1, 1], 'the signed receipt');
    const onB = await b.client.activate(serial);
    assert.ok(onB.ok);
    assert.deepEqual(
      [onB.value.status.license?.transfersUsed, onB.value.status.license?.maxTransfers],
      [1, 1],
      'the signed grant',
    );

    const state = await machineState(vendor);
    const again = await b.client.deactivate();
    assert.equal(again.ok ? 'ok' : again.error.code, 'TRANSFER_LIMIT_REACHED');
    assert.ok(!again.ok && /1 of 1/.test(again.error.message), 'the message counts the granted transfer');
    assert.equal(await machineState(vendor), state, 'nothing changed on the server');

    const shown = await show(vendor, serial);
    assert.deepEqual(
      [shown.license.transfersUsed, shown.license.extraTransfers, shown.maxTransfers],
      [1, 1, 1],
    );
    const event = shown.history.find((candidate) => candidate.type === 'transfers_granted');
    assert.equal(event?.detail.reason, 'RAM upgrade changed the fingerprint');
    assert.equal(event?.detail.add, 1);
    assert.deepEqual(event?.detail.by, await tokenIdentity(vendor));
  });

  it('grants add up on top of the policy limit', async () => {
    const issued = await vendor.issue({ maxTransfers: 2 });
    const serial = issued.licenses[0]?.serial ?? '';
    for (const add of [1, 3]) {
      await vendor.admin('POST', `/v1/licenses/${serial}/transfers`, { add, reason: `plus ${add}` });
    }
    const shown = await show(vendor, serial);
    assert.deepEqual([shown.license.extraTransfers, shown.maxTransfers], [4, 6]);
  });

  it('grants made at the same time all count, each in the history once', async () => {
    const issued = await vendor.issue({ maxTransfers: 1 });
    const serial = issued.licenses[0]?.serial ?? '';
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        vendor.admin('POST', `/v1/licenses/${serial}/transfers`, { add: 1, reason: `desk ${index}` }),
      ),
    );
    const shown = await show(vendor, serial);
    assert.deepEqual([shown.license.extraTransfers, shown.maxTransfers], [10, 11]);
    const grants = shown.history.filter((event) => event.type === 'transfers_granted');
    assert.deepEqual(
      grants.map((event) => event.detail.extraTransfers).sort((x, y) => Number(x) - Number(y)),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
  });
});

describe('support desk: the vendor revokes a license for good', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('the bound computer is refused LICENSE_REVOKED at its next check and freezes; no reinstating, no other computer', async () => {
    const issued = await vendor.issue({ checkIntervalDays: 1 });
    const serial = issued.licenses[0]?.serial ?? '';
    const pc = await testComputer('revoked', issued.sdkConfig);
    const other = await testComputer('revoked-other', issued.sdkConfig);
    assert.ok((await pc.client.activate(serial)).ok);

    const revoked = await vendor.admin<License>('POST', `/v1/licenses/${serial}/revoke`, {
      reason: 'refunded',
    });
    assert.equal(revoked.status, 'revoked');

    vendor.clock.advanceDays(2);
    try {
      const checked = await pc.restart({ now: vendor.clock.now }).check();
      assert.equal(checked.ok ? 'ok' : checked.error.code, 'LICENSE_REVOKED');
      const status = await pc.restart({ now: vendor.clock.now }).status();
      assert.ok(status.ok && status.value.state === 'frozen', 'the container froze');
    } finally {
      vendor.clock.advanceDays(-2);
    }

    const state = await machineState(vendor);
    for (const action of ['reinstate', 'suspend']) {
      const refused = await refusedAdmin(vendor, `/v1/licenses/${serial}/${action}`, { reason: 'undo' });
      assert.deepEqual([refused.status, refused.code], [403, 'LICENSE_REVOKED'], action);
    }
    const granted = await refusedAdmin(vendor, `/v1/licenses/${serial}/transfers`, { add: 1, reason: 'x' });
    assert.deepEqual([granted.status, granted.code], [403, 'LICENSE_REVOKED']);
    const elsewhere = await other.client.activate(serial);
    assert.equal(elsewhere.ok ? 'ok' : elsewhere.error.code, 'LICENSE_REVOKED');
    const otherStatus = await other.restart().status();
    assert.ok(otherStatus.ok && otherStatus.value.state !== 'active', 'the other computer is not licensed');
    assert.equal(await machineState(vendor), state, 'the refusals changed nothing');

    const again = await vendor.admin<License>('POST', `/v1/licenses/${serial}/revoke`, { reason: 'twice' });
    assert.equal(again.status, 'revoked', 'revoking again is a no-op');
    const shown = await show(vendor, serial);
    assert.equal(shown.license.status, 'revoked');
    const revocations = shown.history.filter((event) => event.type === 'revoked');
    assert.equal(revocations.length, 1);
    assert.equal(revocations[0]?.detail.reason, 'refunded');
    assert.deepEqual(revocations[0]?.detail.by, await tokenIdentity(vendor));
  });

  it('a reinstatement racing a revocation never undoes it', async () => {
    const issued = await vendor.issue({}, 5);
    for (const license of issued.licenses) {
      await vendor.admin('POST', `/v1/licenses/${license.serial}/suspend`, { reason: 'unpaid' });
      const [revoked, reinstated] = await Promise.all([
        adminPost(vendor, `/v1/licenses/${license.serial}/revoke`, { reason: 'fraud' }),
        adminPost(vendor, `/v1/licenses/${license.serial}/reinstate`, {}),
      ]);
      assert.equal(revoked.response.status, 200);
      const lost = reinstated.response.status === 403 && reinstated.payload.code === 'LICENSE_REVOKED';
      assert.ok(reinstated.response.status === 200 || lost, 'reinstated first, or refused after');
      assert.equal((await show(vendor, license.serial)).license.status, 'revoked');
    }
  });

  it('suspend and reinstate record the admin token too', async () => {
    const issued = await vendor.issue({});
    const serial = issued.licenses[0]?.serial ?? '';
    await vendor.admin('POST', `/v1/licenses/${serial}/suspend`, { reason: 'unpaid' });
    await vendor.admin('POST', `/v1/licenses/${serial}/reinstate`, {});
    const { history } = await show(vendor, serial);
    const identity = await tokenIdentity(vendor);
    assert.deepEqual(
      history.filter((event) => event.type !== 'created').map((event) => [event.type, event.detail]),
      [
        ['suspended', { reason: 'unpaid', by: identity }],
        ['reinstated', { reason: null, by: identity }],
      ],
    );
  });

  it('released and revoked licenses are announced by webhook', async () => {
    const receiver = await webhookReceiver();
    try {
      await vendor.admin('POST', '/v1/webhooks', {
        url: receiver.url,
        events: ['license.released', 'license.revoked'],
      });
      const issued = await vendor.issue({});
      const serial = issued.licenses[0]?.serial ?? '';
      const pc = await testComputer('hooked', issued.sdkConfig);
      assert.ok((await pc.client.activate(serial)).ok);
      await vendor.admin('POST', `/v1/licenses/${serial}/release`, { reason: 'dead disk' });
      await vendor.admin('POST', `/v1/licenses/${serial}/revoke`, { reason: 'fraud' });
      for (const [type, reason] of [
        ['license.released', 'dead disk'],
        ['license.revoked', 'fraud'],
      ]) {
        const delivered = await receiver.waitFor((event) => event.type === type);
        const body = JSON.parse(delivered.body) as {
          data: { licenseId: string; reason: string; by: { name: string } };
        };
        assert.equal(body.data.licenseId, issued.licenses[0]?.id);
        assert.equal(body.data.reason, reason);
        assert.equal(body.data.by.name, 'bootstrap');
      }
    } finally {
      await receiver.close();
    }
  });
});

describe('support desk: bad input gets a stable code and changes nothing', () => {
  let vendor: TestVendor;
  let bound: string;
  let unlimited: string;
  before(async () => {
    vendor = await startTestVendor();
    const issued = await vendor.issue({ maxTransfers: 1 });
    bound = issued.licenses[0]?.serial ?? '';
    const pc = await testComputer('bad-input', issued.sdkConfig);
    assert.ok((await pc.client.activate(bound)).ok);
    unlimited = (await vendor.issue({ maxTransfers: null })).licenses[0]?.serial ?? '';
  });
  after(() => vendor.close());

  const unknown = generateSerial();
  const cases: ReadonlyArray<[string, () => string, unknown, number, string]> = [
    ['release without a reason', () => `/v1/licenses/${bound}/release`, {}, 400, 'VALIDATION_FAILED'],
    [
      'release with an empty reason',
      () => `/v1/licenses/${bound}/release`,
      { reason: '' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'release with a blank reason',
      () => `/v1/licenses/${bound}/release`,
      { reason: '   ' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'release with a reason of two lines',
      () => `/v1/licenses/${bound}/release`,
      { reason: 'one\ntwo' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'release with a terminal escape in the reason',
      () => `/v1/licenses/${bound}/release`,
      { reason: '\u001b[2Jgone' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'release with a reason too long',
      () => `/v1/licenses/${bound}/release`,
      { reason: 'x'.repeat(AUDIT_REASON_MAX_LENGTH + 1) },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'release with a reason that is not text',
      () => `/v1/licenses/${bound}/release`,
      { reason: 7 },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'release with an unknown field',
      () => `/v1/licenses/${bound}/release`,
      { reason: 'x', force: true },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'release of an unknown serial',
      () => `/v1/licenses/${unknown}/release`,
      { reason: 'x' },
      404,
      'LICENSE_NOT_FOUND',
    ],
    [
      'release of an unknown license id',
      () => '/v1/licenses/lic_nothing/release',
      { reason: 'x' },
      404,
      'LICENSE_NOT_FOUND',
    ],
    [
      'release of a mistyped serial',
      () => '/v1/licenses/not-a-serial/release',
      { reason: 'x' },
      400,
      'SERIAL_INVALID',
    ],
    [
      'grant of 0 transfers',
      () => `/v1/licenses/${bound}/transfers`,
      { add: 0, reason: 'x' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'grant of -1 transfers',
      () => `/v1/licenses/${bound}/transfers`,
      { add: -1, reason: 'x' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'grant of 1.5 transfers',
      () => `/v1/licenses/${bound}/transfers`,
      { add: 1.5, reason: 'x' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'grant of "1" as text',
      () => `/v1/licenses/${bound}/transfers`,
      { add: '1', reason: 'x' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'grant without a number',
      () => `/v1/licenses/${bound}/transfers`,
      { reason: 'x' },
      400,
      'VALIDATION_FAILED',
    ],
    ['grant without a reason', () => `/v1/licenses/${bound}/transfers`, { add: 1 }, 400, 'VALIDATION_FAILED'],
    [
      'grant beyond the most a license may have',
      () => `/v1/licenses/${bound}/transfers`,
      { add: 1_000_001, reason: 'x' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'grant on a policy without a limit',
      () => `/v1/licenses/${unlimited}/transfers`,
      { add: 1, reason: 'x' },
      409,
      'TRANSFERS_UNLIMITED',
    ],
    [
      'grant to an unknown serial',
      () => `/v1/licenses/${unknown}/transfers`,
      { add: 1, reason: 'x' },
      404,
      'LICENSE_NOT_FOUND',
    ],
    ['revoke without a reason', () => `/v1/licenses/${bound}/revoke`, {}, 400, 'VALIDATION_FAILED'],
    [
      'revoke with a blank reason',
      () => `/v1/licenses/${bound}/revoke`,
      { reason: '\t' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'revoke of an unknown serial',
      () => `/v1/licenses/${unknown}/revoke`,
      { reason: 'x' },
      404,
      'LICENSE_NOT_FOUND',
    ],
  ];
  for (const [what, path, body, status, code] of cases) {
    it(`${what}: ${status} ${code}`, async () => {
      const state = await machineState(vendor);
      const refused = await refusedAdmin(vendor, path(), body);
      assert.deepEqual([refused.status, refused.code], [status, code], refused.message);
      assert.ok(refused.message.length > 10, 'a sentence a person understands');
      assert.equal(await machineState(vendor), state);
    });
  }

  it('after all those refusals the license is as it was', async () => {
    const shown = await show(vendor, bound);
    assert.equal(shown.license.status, 'active');
    assert.equal(shown.license.extraTransfers, 0);
    assert.ok(shown.binding);
  });
});

const KEYWARD = resolve('packages/cli/bin/keyward.js');
const run = promisify(execFile);

describe('support desk: keyward admin license release | grant-transfers | revoke', () => {
  let vendor: TestVendor;
  let home: string;
  let env: Record<string, string>;
  before(async () => {
    vendor = await startTestVendor();
    home = await mkdtemp(join(tmpdir(), 'keyward-desk-cli-'));
    env = { PATH: process.env.PATH ?? '', HOME: home, KEYWARD_URL: vendor.url, KEYWARD_TOKEN: vendor.token };
  });
  after(async () => {
    await vendor.close();
    await rm(home, { recursive: true, force: true });
  });

  async function keyward(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [KEYWARD, 'admin', 'license', ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  async function json<T>(...args: string[]): Promise<T> {
    const ran = await keyward(...args, '--json');
    assert.equal(ran.code, 0, ran.stderr);
    return JSON.parse(ran.stdout) as T;
  }

  it('releases, grants transfers and revokes, each with --json; show prints the effective limit and who did it', async () => {
    const issued = await vendor.issue({ maxTransfers: 0 });
    const serial = issued.licenses[0]?.serial ?? '';
    const pc = await testComputer('cli-desk', issued.sdkConfig);
    assert.ok((await pc.client.activate(serial)).ok);

    const released = await json<{ license: License; released: { fingerprintHash: string } }>(
      'release',
      serial,
      '--reason',
      'PC stolen',
    );
    assert.equal(released.license.serial, serial);
    assert.match(released.released.fingerprintHash, /^[0-9a-f]{64}$/);

    const granted = await json<{ license: License; maxTransfers: number | null }>(
      'grant-transfers',
      serial,
      '--add',
      '2',
      '--reason',
      'goodwill',
    );
    assert.deepEqual([granted.license.extraTransfers, granted.maxTransfers], [2, 2]);

    const shownJson = await json<Shown>('show', serial);
    assert.deepEqual([shownJson.maxTransfers, shownJson.license.extraTransfers], [2, 2]);
    const human = await keyward('show', serial);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /Transfers used\s+0 of 2 used \(policy 0 \+ 2 granted\)/);
    assert.match(human.stdout, /released: PC stolen \(by bootstrap\)/);
    assert.match(human.stdout, /transfers_granted: goodwill \(by bootstrap\)/);

    const revoked = await json<License>('revoke', serial, '--reason', 'chargeback');
    assert.equal(revoked.status, 'revoked');
    const final = await keyward('show', serial);
    assert.match(final.stdout, /Status\s+revoked \(final/);
    assert.match(final.stdout, /revoked: chargeback \(by bootstrap\)/);

    const refused = await keyward('grant-transfers', serial, '--add', '1', '--reason', 'again');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /revoked.*\(LICENSE_REVOKED\)/);
  });

  it('refusals print the code on stderr and exit non-zero', async () => {
    const issued = await vendor.issue({});
    const serial = issued.licenses[0]?.serial ?? '';
    const cases: ReadonlyArray<[string[], string]> = [
      [['release', serial, '--reason', 'nobody has it'], 'NOT_BOUND'],
      [['release', serial], 'VALIDATION_FAILED'],
      [['revoke', serial, '--reason', ' '], 'VALIDATION_FAILED'],
      [['grant-transfers', serial, '--add', '0', '--reason', 'x'], 'VALIDATION_FAILED'],
      [['grant-transfers', serial, '--reason', 'x'], 'VALIDATION_FAILED'],
      [['revoke', generateSerial(), '--reason', 'x'], 'LICENSE_NOT_FOUND'],
    ];
    const state = await machineState(vendor);
    for (const [args, code] of cases) {
      const ran = await keyward(...args, '--json');
      assert.equal(ran.code, 1, args.join(' '));
      assert.equal((JSON.parse(ran.stderr) as { error: { code: string } }).error.code, code, args.join(' '));
      assert.equal(ran.stdout, '');
    }
    assert.equal(await machineState(vendor), state);
  });
});
