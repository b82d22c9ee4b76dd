import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  decodeShortCode,
  encodeShortCode,
  encodeUnlockKey,
  generateKeyMaterial,
  isUnlockKeyGrant,
  ok,
  privateKeyFromMaterial,
  type ReceivedError,
  type Result,
  readUnlockRequest,
  type UnlockKeyGrant,
} from '@keyward/core';
import { LicenseSession } from '../../packages/client/dist/license-session.js';
import { type TestComputer, testComputer } from './support/computer.js';
import { type Issued, machineState, startTestVendor, type TestVendor } from './support/vendor-server.js';

/**
 * Activation by phone: the request code and the Unlock Key code. The container keeps both codes
 * as its grant; the vendor binds the serial provisionally, by installation id, until the
 * container's first online request proves its keys.
 */

const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);

const offline: typeof fetch = async () => {
  throw new TypeError('fetch failed: this computer is offline');
};

interface Binding {
  readonly containerKey: string;
}

interface Shown {
  readonly binding: Binding | null;
}

async function refusedAdmin(vendor: TestVendor, path: string, body: unknown) {
  const response = await fetch(`${vendor.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${vendor.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.ok(response.status >= 400, `refused, not ${response.status}`);
  return ((await response.json()) as { code: string }).code;
}

describe('activation by phone: request code and Unlock Key code', () => {
  let vendor: TestVendor;
  let issued: Issued;
  let next = 0;

  before(async () => {
    vendor = await startTestVendor();
    issued = await vendor.issue(
      {
        items: { cad: { servers: 1, nodes: 10 } },
        counters: { exports: 20 },
        durationDays: 365,
        verification: 'ongoing',
        checkIntervalDays: 30,
        maxTransfers: 2,
      },
      16,
    );
  });
  after(async () => {
    await vendor.close();
  });

  /** A computer that asked by phone and entered its Unlock Key code, offline. */
  async function phoneActivated(name: string) {
    const serial = issued.licenses[next++]?.serial;
    assert.ok(serial);
    const fingerprint = `kwfp1:machine=${name};cpu=xeon;memory=16;network=aa;host=${name}`;
    const pc = await testComputer(name, issued.sdkConfig, { fingerprint, fetch: offline });
    const requested = await pc.client.offline.request(serial);
    assert.ok(requested.ok && requested.value.code !== null, codeOf(requested));
    const { unlockCode } = await vendor.admin<{ unlockCode: string }>('POST', '/v1/licenses/unlock', {
      serial,
      requestCode: requested.value.code,
    });
    const entered = await pc.client.offline.unlock(unlockCode);
    assert.equal(codeOf(entered), 'ok');
    return { pc, serial, fingerprint, requestCode: requested.value.code, unlockCode };
  }

  function sessionOf(pc: TestComputer, fingerprint: string) {
    return new LicenseSession({
      config: issued.sdkConfig,
      home: pc.home,
      anchorDir: pc.anchorDir,
      markerDir: pc.markerDir,
      fingerprint,
    });
  }

  async function heldCodes(pc: TestComputer, fingerprint: string): Promise<UnlockKeyGrant> {
    const loaded = await sessionOf(pc, fingerprint).store.load();
    assert.ok(loaded.ok);
    const grant = loaded.value.record.grant;
    assert.ok(grant !== null && isUnlockKeyGrant(grant), 'the container holds the codes as its grant');
    return grant;
  }

  it('licenses a computer that is never online, with the vendor terms the code carries', async () => {
    const { pc } = await phoneActivated('never-online');
    const app = pc.restart({ fetch: offline });
    const checked = await app.check();
    assert.ok(checked.ok, codeOf(checked));
    assert.deepEqual([checked.value.mode, checked.value.online], ['licensed', false]);
    assert.deepEqual(await app.contents.seats('cad', 'nodes'), { ok: true, value: 10 });
    const used = await app.contents.decrementCounter('exports', 5);
    assert.deepEqual(used, { ok: true, value: 15 });
  });

  it('refuses, at the next start offline, every rewrite of the codes the container holds', async () => {
    const stranger = generateKeyMaterial('ed25519');
    const rewrites: Array<[string, (held: UnlockKeyGrant, other: UnlockKeyGrant) => UnlockKeyGrant]> = [
      ['another serial named', (held, other) => ({ ...held, serial: other.serial })],
      ["another computer's codes", (_held, other) => other],
      ["another computer's Unlock Key", (held, other) => ({ ...held, unlockKey: other.unlockKey })],
      [
        'a term edited',
        (held) => {
          const bytes = decodeShortCode(held.unlockKey);
          assert.ok(bytes.ok);
          const edited = Buffer.from(bytes.value);
          edited[3] = (edited[3] ?? 0) ^ 0x01;
          return { ...held, unlockKey: encodeShortCode(edited) };
        },
      ],
      [
        'better terms signed by someone else',
        (held) => {
          const request = readUnlockRequest(held.request, held.serial);
          assert.ok(request.ok);
          const forged = encodeUnlockKey(
            issued.product.code,
            held.serial,
            request.value,
            {
              sequence: 0,
              contents: {
                items: { cad: { servers: 1000, nodes: 1000 } },
                counters: { exports: 1_000_000 },
                expiresAt: null,
                passwords: {},
                memory: {},
                verification: 'off',
              },
              consumed: {},
              checkIntervalDays: 0,
              graceDays: 365,
              maxTransfers: null,
              transfersUsed: 0,
              issuedAt: new Date().toISOString(),
            },
            { kid: 'attacker', privateKey: privateKeyFromMaterial(stranger) },
          );
          assert.ok(forged.ok);
          return { ...held, unlockKey: forged.value };
        },
      ],
    ];
    const other = await phoneActivated('other-phone');
    const otherHeld = await heldCodes(other.pc, other.fingerprint);
    for (const [name, rewrite] of rewrites) {
      const victim = await phoneActivated(`victim-${next}`);
      const held = await heldCodes(victim.pc, victim.fingerprint);
      const written = await sessionOf(victim.pc, victim.fingerprint).store.mutate((current) =>
        ok({ next: { ...current.record, grant: rewrite(held, otherHeld) }, value: undefined }),
      );
      assert.equal(codeOf(written), 'ok', name);
      const checked = await victim.pc.restart({ fetch: offline }).check();
      assert.equal(codeOf(checked), 'TAMPER_DETECTED', name);
    }
  });

  it('binds provisionally, and the first online check gives the binding its keys and the container a signed grant', async () => {
    const { pc, serial, fingerprint } = await phoneActivated('comes-online');
    const before = await vendor.admin<Shown>('GET', `/v1/licenses/${serial}`);
    assert.match(before.binding?.containerKey ?? '', /^installation:[0-9a-f]{24}$/);

    // A vendor update cannot be sealed to keys the vendor does not know yet...
    assert.equal(
      await refusedAdmin(vendor, `/v1/licenses/${serial}/updates`, {
        operations: [{ op: 'add-seats', item: 'cad', kind: 'nodes', count: 5 }],
      }),
      'UPDATE_NEEDS_FILE',
    );
    // ...but the container's request file proves them, and its contents pass the From check.
    const requestFile = await pc.client.updates.createRequest();
    assert.ok(requestFile.ok, codeOf(requestFile));
    const made = await vendor.admin<{ file: string }>('POST', '/v1/updates', {
      request: requestFile.value,
      operations: [{ op: 'add-seats', item: 'cad', kind: 'nodes', count: 5 }],
    });
    const applied = await pc.restart({ fetch: offline }).updates.apply(made.file);
    assert.equal(codeOf(applied), 'ok');
    assert.deepEqual(await pc.restart({ fetch: offline }).contents.seats('cad', 'nodes'), {
      ok: true,
      value: 15,
    });

    // Online at last: the check is due after the 30-day interval.
    vendor.clock.advanceDays(31);
    const app = pc.restart({ fetch, now: vendor.clock.now });
    const checked = await app.check();
    assert.ok(checked.ok, codeOf(checked));
    assert.equal(checked.value.online, true);
    const loaded = await sessionOf(pc, fingerprint).store.load();
    assert.ok(loaded.ok);
    assert.ok(loaded.value.record.grant !== null && !isUnlockKeyGrant(loaded.value.record.grant));
    const settled = await vendor.admin<Shown>('GET', `/v1/licenses/${serial}`);
    assert.equal(settled.binding?.containerKey, loaded.value.record.containerKey);
    assert.deepEqual(await app.contents.seats('cad', 'nodes'), { ok: true, value: 15 });
  });

  it('answers a repeated call with an Unlock Key again; another computer, a revoked license and terms too large for a code are refused, changing nothing', async () => {
    const { pc, serial, requestCode } = await phoneActivated('repeat');
    const again = await vendor.admin<{ unlockCode: string }>('POST', '/v1/licenses/unlock', {
      serial,
      requestCode,
    });
    assert.match(again.unlockCode, /^[0-9A-Z-]+$/);
    assert.ok((await pc.restart({ fetch: offline }).check()).ok);

    const stranger = await testComputer('stranger', issued.sdkConfig, {
      fingerprint: 'kwfp1:machine=zz;cpu=arm;memory=8;network=ff;host=zz',
      fetch: offline,
    });
    const asked = await stranger.client.offline.request(serial);
    assert.ok(asked.ok && asked.value.code !== null);
    const untouched = await machineState(vendor);
    assert.equal(
      await refusedAdmin(vendor, '/v1/licenses/unlock', { serial, requestCode: asked.value.code }),
      'SERIAL_BOUND_ELSEWHERE',
    );
    assert.equal(await machineState(vendor), untouched);

    const revokedSerial = issued.licenses[next++]?.serial;
    assert.ok(revokedSerial);
    await vendor.admin('POST', `/v1/licenses/${revokedSerial}/revoke`, { reason: 'chargeback' });
    const revokedAsk = await stranger.client.offline.request(revokedSerial);
    assert.ok(revokedAsk.ok && revokedAsk.value.code !== null);
    assert.equal(
      await refusedAdmin(vendor, '/v1/licenses/unlock', {
        serial: revokedSerial,
        requestCode: revokedAsk.value.code,
      }),
      'LICENSE_REVOKED',
    );

    const large = await vendor.issue({
      items: Object.fromEntries(
        ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'].map((n) => [n, { seats: 1 }]),
      ),
    });
    const largeSerial = large.licenses[0]?.serial ?? '';
    const largePc = await testComputer('large', large.sdkConfig, {
      fingerprint: 'kwfp1:machine=lg;cpu=x;memory=1;network=a;host=lg',
      fetch: offline,
    });
    const largeAsk = await largePc.client.offline.request(largeSerial);
    assert.ok(largeAsk.ok && largeAsk.value.code !== null);
    assert.equal(
      await refusedAdmin(vendor, '/v1/licenses/unlock', {
        serial: largeSerial,
        requestCode: largeAsk.value.code,
      }),
      'UNLOCK_NEEDS_FILE',
    );
    const shown = await vendor.admin<Shown>('GET', `/v1/licenses/${largeSerial}`);
    assert.equal(shown.binding, null, 'the serial stays unbound: the file can still be used');
  });
});
