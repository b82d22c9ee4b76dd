import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HeldLease } from '@keyward/client';
import {
  generateKeyMaterial,
  keyIdOf,
  privateKeyFromMaterial,
  signSeatLease,
  siteKeyId,
} from '@keyward/core';
import { startTestSite, type TestSite } from './support/site-server.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

const codeOf = (result: { ok: true } | { ok: false; error: { code: string } }) =>
  result.ok ? 'ok' : result.error.code;

describe('site seats', () => {
  let vendor: TestVendor;
  let site: TestSite;
  let issued: Issued;

  before(async () => {
    vendor = await startTestVendor();
    site = await startTestSite(vendor, { env: { KEYWARD_SITE_MAX_BORROW_DAYS: '7' } });
    issued = await vendor.issue({ items: { cad: { nodes: 100, servers: 1 } } }, 2);
    await site.admin('POST', '/v1/site/licenses', {
      file: await site.keyFile(issued.licenses[0]?.serial ?? ''),
    });
  });
  after(async () => {
    await site.close();
    await vendor.close();
  });

  const stations = (count: number, prefix: string) =>
    Array.from({ length: count }, (_, n) => site.station(`${prefix}-${n}`, issued.sdkConfig));

  it('200 stations racing for 100 seats get exactly 100 leases; freed and expired seats are leased again', async () => {
    const racers = stations(200, 'race');
    const outcomes = await Promise.all(racers.map((station) => station.lease('cad', 'nodes')));
    const leased = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.value] : []));
    assert.equal(leased.length, 100);
    assert.deepEqual(
      new Set(outcomes.filter((outcome) => !outcome.ok).map(codeOf)),
      new Set(['NO_SEAT_AVAILABLE']),
    );
    assert.equal(new Set(leased.map((held) => held.lease.leaseId)).size, 100);

    // Ten stations give their seats back: ten of the waiting ones get them, and no more.
    const holders = racers.filter((_, n) => outcomes[n]?.ok);
    const waiting = racers.filter((_, n) => !outcomes[n]?.ok);
    await Promise.all(leased.slice(0, 10).map((held, n) => holders[n]?.release(held)));
    const second = await Promise.all(waiting.slice(0, 30).map((station) => station.lease('cad', 'nodes')));
    assert.equal(second.filter((outcome) => outcome.ok).length, 10);

    // Nobody heartbeats for three intervals: every seat is free again, and 100 of the rest get one.
    vendor.clock.advanceSeconds(181);
    const third = await Promise.all(stations(150, 'later').map((station) => station.lease('cad', 'nodes')));
    assert.equal(third.filter((outcome) => outcome.ok).length, 100);
    vendor.clock.advanceSeconds(181);
  });

  it('a station asking five times at once holds one seat', async () => {
    const station = site.station('eager', issued.sdkConfig);
    const answers = await Promise.all(Array.from({ length: 5 }, () => station.lease('cad', 'servers')));
    const ids = new Set(
      answers.map((answer) => (answer.ok ? answer.value.lease.leaseId : answer.error.code)),
    );
    assert.equal(ids.size, 1, `one lease for all five: ${[...ids].join(', ')}`);
    assert.equal(
      codeOf(await site.station('other', issued.sdkConfig).lease('cad', 'servers')),
      'NO_SEAT_AVAILABLE',
    );
    const [first] = answers;
    if (first?.ok) await station.release(first.value);
  });

  it('heartbeats keep a lease; one that misses three is released and cannot be revived', async () => {
    const [kept, lapsed, next] = stations(3, 'beat');
    assert.ok(kept && lapsed && next);
    const onlySeat = async (station: typeof kept) => {
      const held = await station.lease('cad', 'servers');
      assert.ok(held.ok, `lease: ${codeOf(held)}`);
      return held.value;
    };
    let held: HeldLease = await onlySeat(kept);
    for (let beat = 0; beat < 5; beat++) {
      vendor.clock.advanceSeconds(60);
      const renewed = await kept.heartbeat(held);
      assert.ok(renewed.ok, `heartbeat ${beat}: ${codeOf(renewed)}`);
      held = renewed.value;
    }
    assert.equal(codeOf(await lapsed.lease('cad', 'servers')), 'NO_SEAT_AVAILABLE');

    vendor.clock.advanceSeconds(179);
    assert.equal(codeOf(await next.lease('cad', 'servers')), 'NO_SEAT_AVAILABLE');
    vendor.clock.advanceSeconds(2);
    assert.equal(codeOf(await kept.heartbeat(held)), 'LEASE_EXPIRED');
    const taken = await next.lease('cad', 'servers');
    assert.ok(taken.ok);
    assert.equal(codeOf(await kept.heartbeat(held)), 'LEASE_NOT_FOUND');
    await next.release(taken.value);
  });

  it('a station borrows a seat for up to the site bound, and uses it offline until it ends', async () => {
    const [borrower, other] = stations(2, 'borrow');
    assert.ok(borrower && other);
    assert.equal(codeOf(await borrower.lease('cad', 'servers', { borrowDays: 8 })), 'BORROW_TOO_LONG');
    const borrowed = await borrower.lease('cad', 'servers', { borrowDays: 7 });
    assert.ok(borrowed.ok);
    assert.equal(borrowed.value.lease.borrowed, true);

    // Six days without a heartbeat: the seat is still the borrower's, offline and at the site.
    vendor.clock.advanceDays(6);
    assert.equal(codeOf(borrower.check(borrowed.value.signed)), 'ok');
    assert.equal(codeOf(await other.lease('cad', 'servers')), 'NO_SEAT_AVAILABLE');
    vendor.clock.advanceDays(1);
    assert.equal(codeOf(borrower.check(borrowed.value.signed)), 'LEASE_EXPIRED');
    const after = await other.lease('cad', 'servers');
    assert.ok(after.ok);
    await other.release(after.value);
  });

  it('a station refuses a lease signed by a key other than the certified site key', async () => {
    const [station] = stations(1, 'forged');
    assert.ok(station);
    const held = await station.lease('cad', 'servers');
    assert.ok(held.ok);
    const impostor = generateKeyMaterial('ed25519');
    const forged = signSeatLease(
      { ...held.value.lease, expiresAt: '2099-01-01T00:00:00.000Z' },
      { kid: siteKeyId(held.value.site), privateKey: privateKeyFromMaterial(impostor) },
    );
    assert.equal(codeOf(station.check({ ...held.value.signed, lease: forged })), 'SIGNATURE_INVALID');
    const unknownKid = signSeatLease(held.value.lease, {
      kid: keyIdOf('ed25519', impostor.publicKey),
      privateKey: privateKeyFromMaterial(impostor),
    });
    assert.equal(codeOf(station.check({ ...held.value.signed, lease: unknownKid })), 'SIGNATURE_INVALID');

    // Another site, certified by the same vendor, cannot vouch for this lease either.
    const other = await startTestSite(vendor);
    try {
      const theirs = await other.admin<{ siteKey: string }>('GET', '/v1/site');
      assert.notEqual(theirs.siteKey, site.server.context.identity.key.publicKey);
      const otherStation = other.station('forged-0', issued.sdkConfig);
      // Its own serial of the product: the first is this site's, and a serial has one site.
      await other.admin('POST', '/v1/site/licenses', {
        file: await other.keyFile(issued.licenses[1]?.serial ?? ''),
      });
      const theirLease = await otherStation.lease('cad', 'servers');
      assert.ok(theirLease.ok);
      const mixed = { lease: theirLease.value.signed.lease, certificate: held.value.signed.certificate };
      assert.equal(codeOf(station.check(mixed)), 'SIGNATURE_INVALID');
    } finally {
      await other.close();
    }
    await station.release(held.value);
  });

  it('lends no seat of an item the site does not hold, nor of an expired license', async () => {
    const [station] = stations(1, 'missing');
    assert.ok(station);
    assert.equal(codeOf(await station.lease('cad', 'printers')), 'ITEM_NOT_LICENSED');

    const shortLived = await vendor.issue({ items: { cam: { seats: 2 } }, durationDays: 1 });
    await site.admin('POST', '/v1/site/licenses', {
      file: await site.keyFile(shortLived.licenses[0]?.serial ?? ''),
    });
    const cam = site.station('cam-1', shortLived.sdkConfig);
    const borrowed = await cam.lease('cam', 'seats', { borrowDays: 7 });
    assert.ok(borrowed.ok);
    assert.equal(borrowed.value.lease.expiresAt, shortLived.licenses[0]?.expiresAt);
    vendor.clock.advanceDays(2);
    assert.equal(
      codeOf(await site.station('cam-2', shortLived.sdkConfig).lease('cam', 'seats')),
      'SITE_LICENSE_EXPIRED',
    );
  });
});
