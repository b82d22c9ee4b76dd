import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HeldLease } from '@keyward/client';
import { type DonationBundle, decodeSiteLicenseFile, newId, signSeatDonation } from '@keyward/core';
import type { LicenseView } from '@keyward/site';
import { json, refusal } from './support/cli.js';
import { siteCall, startTestSite, type TestSite } from './support/site-server.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

const codeOf = (result: { ok: true } | { ok: false; error: { code: string } }) =>
  result.ok ? 'ok' : result.error.code;

describe('neighbour site servers', () => {
  let vendor: TestVendor;
  let a: TestSite;
  let b: TestSite;
  let b1: TestSite;

  const serialOf = (issued: Issued, n = 0) => issued.licenses[n]?.serial ?? '';
  const licensesOf = async (site: TestSite) =>
    (await site.admin<{ licenses: LicenseView[] }>('GET', '/v1/site/licenses')).licenses;
  const addKey = (site: TestSite, serial: string) =>
    site.keyFile(serial).then((file) => site.admin<LicenseView>('POST', '/v1/site/licenses', { file }));
  const donate = (serial: string, to: TestSite, nodes: number) =>
    siteCall(a, 'POST', `/v1/site/licenses/${serial}/propagation`, {
      neighbour: to.siteId,
      items: { cad: { nodes } },
    });
  const race = async (site: TestSite, issued: Issued, prefix: string, count: number) => {
    const outcomes = await Promise.all(
      Array.from({ length: count }, (_, n) =>
        site.station(`${prefix}-${n}`, issued.sdkConfig).lease('cad', 'nodes'),
      ),
    );
    return outcomes.flatMap((outcome) => (outcome.ok ? [outcome.value] : []));
  };
  const release = (site: TestSite, issued: Issued, held: HeldLease[]) =>
    Promise.all(held.map((lease) => site.station(lease.lease.stationId, issued.sdkConfig).release(lease)));

  /** A donation from A signed as A's server would, with whatever a test changes. */
  async function bundleFromA(
    serial: string,
    change: { toSiteId?: string; items?: Record<string, Record<string, number>>; issuedAt?: string } = {},
  ): Promise<DonationBundle> {
    const site = a.server.context.identity.current();
    assert.ok(site.ok);
    const exported = await a.server.context.licenses.exportFile(serial);
    assert.ok(exported.ok);
    const license = decodeSiteLicenseFile(exported.value.file);
    assert.ok(license.ok);
    const product = (await licensesOf(a)).find((held) => held.serial === serial)?.product ?? '';
    const donation = signSeatDonation(
      {
        donationId: newId('don'),
        fromSiteId: a.siteId,
        toSiteId: change.toSiteId ?? b.siteId,
        serial,
        product,
        items: change.items ?? { cad: { nodes: 2 } },
        replaces: null,
        issuedAt: change.issuedAt ?? vendor.clock.now().toISOString(),
      },
      site.value.signer,
    );
    return { donation, license: license.value, certificate: site.value.certificateEnvelope };
  }

  before(async () => {
    vendor = await startTestVendor();
    a = await startTestSite(vendor);
    b = await startTestSite(vendor);
    b1 = await startTestSite(vendor, { env: { KEYWARD_SITE_PROTOCOL: '1' } });
    for (const child of [b, b1]) {
      await child.admin('POST', '/v1/site/neighbours', {
        role: 'parent',
        siteId: a.siteId,
        name: 'Head office',
      });
      await a.admin('POST', '/v1/site/neighbours', { role: 'child', siteId: child.siteId, url: child.url });
    }
  });
  after(async () => {
    await Promise.all([a.close(), b.close(), b1.close()]);
    await vendor.close();
  });

  it('refuses every neighbour administration route to a caller without the site token', async () => {
    const routes: ReadonlyArray<readonly ['GET' | 'POST' | 'DELETE', string, unknown?]> = [
      ['GET', '/v1/site/neighbours'],
      ['POST', '/v1/site/neighbours', { role: 'parent', siteId: newId('sit') }],
      ['DELETE', `/v1/site/neighbours/${b.siteId}`],
      ['POST', '/v1/site/licenses/ABC/propagation', { neighbour: b.siteId, items: { cad: { nodes: 1 } } }],
      ['POST', '/v1/site/licenses/ABC/propagation/stations', { stations: ['s-1'] }],
      ['DELETE', `/v1/site/licenses/ABC/propagation/${b.siteId}`],
    ];
    for (const [method, path, body] of routes)
      for (const token of ['', 'kw_site_made-up', b.token]) {
        const refused = await siteCall({ url: a.url, token }, method, path, body);
        assert.deepEqual(
          [method, path, refused.status, refused.body.code],
          [method, path, 401, 'UNAUTHORIZED'],
        );
      }
    // What neighbours call is open: the documents prove who sent them.
    const hello = await fetch(`${b.url}/v1/neighbours/hello`);
    assert.deepEqual(
      [hello.status, ((await hello.json()) as { siteId: string; protocol: number }).siteId],
      [200, b.siteId],
    );
  });

  it('adds a child after checking its hello, and records the protocol it speaks', async () => {
    const { neighbours } = await a.admin<{
      neighbours: Array<{ siteId: string; protocol: number; role: string }>;
    }>('GET', '/v1/site/neighbours');
    assert.deepEqual(
      neighbours.map((n) => [n.siteId, n.role, n.protocol]),
      [
        [b.siteId, 'child', 2],
        [b1.siteId, 'child', 1],
      ],
    );
    // Another site's address under B's id: its certificate names another site.
    const wrong = await siteCall(a, 'POST', '/v1/site/neighbours', {
      role: 'child',
      siteId: newId('sit'),
      url: b.url,
    });
    assert.equal(wrong.body.code, 'WRONG_SITE');
    const twice = await siteCall(a, 'POST', '/v1/site/neighbours', {
      role: 'child',
      siteId: b.siteId,
      url: b.url,
    });
    assert.equal(twice.body.code, 'NEIGHBOUR_EXISTS');
    // A child that is not up yet is added all the same, its protocol unknown until it answers.
    const offline = await siteCall(a, 'POST', '/v1/site/neighbours', {
      role: 'child',
      siteId: newId('sit'),
      url: 'http://127.0.0.1:9',
    });
    assert.equal(offline.status, 201);
    assert.equal(offline.body.protocol, null);
    await a.admin('DELETE', `/v1/site/neighbours/${offline.body.siteId}`);
  });

  it("donated seats come off the donor's pool: 10 seats, 4 donated -> 6 for A's stations, 4 for B's", async () => {
    const issued = await vendor.issue({ items: { cad: { nodes: 10 } } });
    const serial = serialOf(issued);
    await addKey(a, serial);
    const donated = await donate(serial, b, 4);
    assert.deepEqual([donated.status, donated.body.state], [200, 'delivered']);

    const [onA, onB] = await Promise.all([race(a, issued, 'a', 30), race(b, issued, 'b', 30)]);
    assert.deepEqual([onA.length, onB.length], [6, 4]);
    assert.ok(onB.every((held) => held.lease.serial === serial && held.site.siteId === b.siteId));
    assert.equal((await donate(serial, b1, 1)).body.code, 'NOT_ENOUGH_SEATS');

    const held = (await licensesOf(a)).find((license) => license.serial === serial);
    assert.deepEqual(held?.propagation.neighbours, [{ siteId: b.siteId, seats: 4, state: 'delivered' }]);
    const received = (await licensesOf(b)).find((license) => license.serial === serial);
    assert.deepEqual(
      [received?.origin, received?.fromSiteId, received?.items],
      ['neighbour', a.siteId, { cad: { nodes: 4 } }],
    );
    // B cannot donate on what it received.
    await b.admin('POST', '/v1/site/neighbours', { role: 'child', siteId: b1.siteId, url: b1.url });
    const onward = await siteCall(b, 'POST', `/v1/site/licenses/${serial}/propagation`, {
      neighbour: b1.siteId,
      items: { cad: { nodes: 1 } },
    });
    assert.equal(onward.body.code, 'NEIGHBOUR_LICENSE_NOT_DONATABLE');
    const unknown = await siteCall(a, 'POST', `/v1/site/licenses/${serial}/propagation`, {
      neighbour: newId('sit'),
      items: { cad: { nodes: 1 } },
    });
    assert.equal(unknown.body.code, 'NEIGHBOUR_NOT_FOUND');

    // Withdrawn, the seats come back to A's stations, and B holds the license no more.
    await release(a, issued, onA);
    await release(b, issued, onB);
    await a.admin('DELETE', `/v1/site/licenses/${serial}/propagation/${b.siteId}`);
    assert.equal(
      (await licensesOf(b)).some((license) => license.serial === serial),
      false,
    );
    assert.equal((await race(a, issued, 'after', 12)).length, 10);
  });

  it('a donation of the same key again sets the share; a smaller share ends the leases beyond it', async () => {
    const issued = await vendor.issue({ items: { cad: { nodes: 10 } } });
    const serial = serialOf(issued);
    await addKey(a, serial);
    assert.equal((await donate(serial, b, 2)).body.state, 'delivered');
    assert.equal((await donate(serial, b, 5)).body.state, 'delivered');
    const grown = (await licensesOf(b)).find((license) => license.serial === serial);
    assert.deepEqual(grown?.items, { cad: { nodes: 5 } });
    assert.equal((await race(b, issued, 'share', 8)).length, 5);

    assert.equal((await donate(serial, b, 1)).body.state, 'delivered');
    const shrunk = (await licensesOf(b)).find((license) => license.serial === serial);
    assert.deepEqual([shrunk?.items, shrunk?.propagation.stations.length], [{ cad: { nodes: 1 } }, 1]);
    assert.equal((await race(a, issued, 'rest', 12)).length, 9);
  });

  it('an older donation sent again is a replay: after a withdrawal, a newer share, or a replacement', async () => {
    const issued = await vendor.issue({ items: { cad: { nodes: 10 } } });
    const serial = serialOf(issued);
    await addKey(a, serial);
    const send = (bundle: DonationBundle) => siteCall(b, 'POST', '/v1/neighbours/donations', bundle);
    const held = async () => (await licensesOf(b)).find((license) => license.serial === serial)?.items;
    const first = await bundleFromA(serial, { items: { cad: { nodes: 3 } } });
    assert.equal((await send(first)).status, 200);
    assert.equal(
      (await send(first)).status,
      200,
      'the same donation again (its answer was lost) is the same',
    );
    vendor.clock.advanceSeconds(1);
    const withdrawal = await bundleFromA(serial, { items: {} });
    assert.equal((await siteCall(b, 'DELETE', `/v1/neighbours/donations/${serial}`, withdrawal)).status, 200);
    assert.equal(await held(), undefined);

    const replayed = await send(first);
    assert.deepEqual([replayed.status, replayed.body.code], [409, 'REQUEST_REPLAYED']);
    assert.equal(await held(), undefined, 'the withdrawn seats stay withdrawn');
    vendor.clock.advanceSeconds(1);
    assert.equal((await send(await bundleFromA(serial, { items: { cad: { nodes: 1 } } }))).status, 200);
    assert.equal((await send(first)).body.code, 'REQUEST_REPLAYED');
    assert.deepEqual(await held(), { cad: { nodes: 1 } }, 'an older, larger share does not come back');
    vendor.clock.advanceSeconds(1);
    await siteCall(
      b,
      'DELETE',
      `/v1/neighbours/donations/${serial}`,
      await bundleFromA(serial, { items: {} }),
    );
  });

  it('a child holding seats is not forgotten; a removed key added again still counts the seats its child holds', async () => {
    const issued = await vendor.issue({ items: { cad: { nodes: 10 } } });
    const serial = serialOf(issued);
    await addKey(a, serial);
    assert.equal((await donate(serial, b, 4)).body.state, 'delivered');
    const forget = await siteCall(a, 'DELETE', `/v1/site/neighbours/${b.siteId}`);
    assert.deepEqual([forget.status, forget.body.code], [409, 'NEIGHBOUR_HOLDS_SEATS']);

    const removed = await siteCall(a, 'DELETE', `/v1/site/licenses/${serial}`);
    assert.deepEqual([removed.status, removed.body.stillHeldBy], [200, [b.siteId]]);
    const takeBack = await siteCall(a, 'DELETE', `/v1/site/licenses/${serial}/propagation/${b.siteId}`);
    assert.equal(
      takeBack.body.code,
      'SITE_LICENSE_NOT_FOUND',
      'a withdrawal needs the key the child checks it against',
    );
    await addKey(a, serial);
    const leased = await race(a, issued, 'again', 12);
    assert.equal(leased.length, 6, "B still holds 4 of the key's 10 seats");
    await release(a, issued, leased);
    assert.equal(
      (await siteCall(a, 'DELETE', `/v1/site/licenses/${serial}/propagation/${b.siteId}`)).status,
      200,
    );
    assert.equal((await race(a, issued, 'all', 12)).length, 10);
  });

  it('B refuses donations from an unlisted parent, edited, made for another site, or beyond the license', async () => {
    const issued = await vendor.issue({ items: { cad: { nodes: 10 } } });
    const serial = serialOf(issued);
    await addKey(a, serial);
    const push = (bundle: DonationBundle) => siteCall(b, 'POST', '/v1/neighbours/donations', bundle);

    const edited = await bundleFromA(serial);
    const payload = JSON.parse(Buffer.from(edited.donation.payload, 'base64url').toString('utf8'));
    payload.items = { cad: { nodes: 10 } };
    const tampered = {
      ...edited,
      donation: { ...edited.donation, payload: Buffer.from(JSON.stringify(payload)).toString('base64url') },
    };
    assert.equal((await push(tampered)).body.code, 'SIGNATURE_INVALID');
    assert.equal((await push(await bundleFromA(serial, { toSiteId: b1.siteId }))).body.code, 'WRONG_SITE');
    assert.equal(
      (await push(await bundleFromA(serial, { items: { cad: { nodes: 11 } } }))).body.code,
      'DONATION_EXCEEDS_LICENSE',
    );
    assert.equal(
      (
        await siteCall(
          b1,
          'POST',
          '/v1/neighbours/donations',
          await bundleFromA(serial, { toSiteId: b.siteId }),
        )
      ).body.code,
      'WRONG_SITE',
    );
    await b.admin('DELETE', `/v1/site/neighbours/${a.siteId}`);
    assert.equal((await push(await bundleFromA(serial))).body.code, 'NEIGHBOUR_NOT_TRUSTED');
    await b.admin('POST', '/v1/site/neighbours', { role: 'parent', siteId: a.siteId });
    assert.equal(
      (await licensesOf(b)).some((license) => license.serial === serial),
      false,
    );

    // Accepted, then edited in B's database: the terms no longer verify.
    assert.equal((await push(await bundleFromA(serial))).status, 200);
    const row = await b.server.context.db
      .selectFrom('site_licenses')
      .select('donation')
      .where('serial', '=', serial)
      .executeTakeFirstOrThrow();
    const stored = JSON.parse(row.donation ?? '');
    const storedPayload = JSON.parse(Buffer.from(stored.donation.payload, 'base64url').toString('utf8'));
    storedPayload.items = { cad: { nodes: 9 } };
    stored.donation.payload = Buffer.from(JSON.stringify(storedPayload)).toString('base64url');
    await b.server.context.db
      .updateTable('site_licenses')
      .set({ donation: JSON.stringify(stored) })
      .where('serial', '=', serial)
      .execute();
    assert.equal((await siteCall(b, 'GET', '/v1/site/licenses')).body.code, 'TAMPER_DETECTED');
    await b.server.context.db
      .updateTable('site_licenses')
      .set({ donation: row.donation })
      .where('serial', '=', serial)
      .execute();
    // A withdrawal must be signed by the donor: an edited one is refused, A's own is taken.
    const withdrawal = await bundleFromA(serial, { items: {} });
    assert.equal(
      (
        await siteCall(b, 'DELETE', `/v1/neighbours/donations/${serial}`, {
          ...withdrawal,
          donation: tampered.donation,
        })
      ).body.code,
      'SIGNATURE_INVALID',
    );
    assert.equal((await siteCall(b, 'DELETE', `/v1/neighbours/donations/${serial}`, withdrawal)).status, 200);
    assert.equal(
      (await licensesOf(b)).some((license) => license.serial === serial),
      false,
    );
  });

  it("protocol 2: a new key replaces the old one on B, and B's stations' next heartbeat is a lease of the new key", async () => {
    const issued = await vendor.issue({ items: { cad: { nodes: 10 } } }, 2);
    const [oldSerial, newSerial] = [serialOf(issued, 0), serialOf(issued, 1)];
    await addKey(a, oldSerial);
    assert.equal((await donate(oldSerial, b, 3)).body.state, 'delivered');
    const stations = [b.station('r-0', issued.sdkConfig), b.station('r-1', issued.sdkConfig)];
    const leases = await Promise.all(stations.map((station) => station.lease('cad', 'nodes')));
    assert.ok(leases.every((held) => held.ok && held.value.lease.serial === oldSerial));

    await addKey(a, newSerial);
    const propagated = await a.server.context.propagation.propagateToNeighbours(oldSerial, newSerial);
    assert.deepEqual(propagated, [{ siteId: b.siteId, state: 'delivered', replaced: true }]);

    const onB = await licensesOf(b);
    assert.deepEqual(
      onB
        .filter((license) => [oldSerial, newSerial].includes(license.serial))
        .map((license) => license.serial),
      [newSerial],
    );
    for (const [n, station] of stations.entries()) {
      const held = leases[n];
      assert.ok(held?.ok);
      const beat = await station.heartbeat(held.value);
      assert.ok(beat.ok, codeOf(beat));
      assert.deepEqual(
        [beat.value.lease.serial, beat.value.lease.leaseId],
        [newSerial, held.value.lease.leaseId],
      );
      await station.release(beat.value);
    }
    // B got the new key: it tells its own administrator so.
    const renewedOnB = (await b.server.context.notifier.history()).filter(
      (notice) => notice.kind === 'license.renewed',
    );
    assert.deepEqual(
      renewedOnB.map(({ event }) => [
        event.license.serial,
        event.renewal?.serial,
        event.site.id,
        event.renewal?.propagatedTo.stations.length,
      ]),
      [[oldSerial, newSerial, b.siteId, 2]],
    );
    // A's record of the old key's donation went with the acknowledgement: nobody uses it any more.
    assert.deepEqual(await a.server.context.propagation.childrenUsing(oldSerial), {
      stations: 0,
      neighbours: [],
    });
    assert.deepEqual(await a.server.context.propagation.childrenUsing(newSerial), {
      stations: 0,
      neighbours: [b.siteId],
    });
    // A second run finds the new key already there: nothing changes.
    assert.deepEqual(await a.server.context.propagation.propagateToNeighbours(oldSerial, newSerial), []);
  });

  it('protocol 1: the child takes the new key as a donation and keeps the old one', async () => {
    const issued = await vendor.issue({ items: { cad: { nodes: 10 } } }, 2);
    const [oldSerial, newSerial] = [serialOf(issued, 0), serialOf(issued, 1)];
    await addKey(a, oldSerial);
    await addKey(a, newSerial);
    assert.equal((await donate(oldSerial, b1, 2)).body.state, 'delivered');
    const propagated = await a.server.context.propagation.propagateToNeighbours(oldSerial, newSerial);
    assert.deepEqual(propagated, [{ siteId: b1.siteId, state: 'delivered', replaced: false }]);
    const onB1 = (await licensesOf(b1)).map((license) => license.serial);
    assert.ok(onB1.includes(oldSerial) && onB1.includes(newSerial));
    assert.deepEqual((await a.server.context.propagation.childrenUsing(oldSerial)).neighbours, [b1.siteId]);
  });

  it("moving A's stations to a new key with too few free seats ends the leases that do not fit", async () => {
    const issued = await vendor.issue({ items: { cad: { nodes: 10 } } }, 2);
    const [oldSerial, newSerial] = [serialOf(issued, 0), serialOf(issued, 1)];
    await addKey(a, oldSerial);
    const held = await race(a, issued, 'move', 5);
    assert.equal(held.length, 5);
    await addKey(a, newSerial);
    assert.equal((await donate(newSerial, b, 7)).body.state, 'delivered');

    const moved = await a.server.context.propagation.moveStationLeases(oldSerial, newSerial);
    assert.deepEqual([moved.moved.length, moved.left.length], [3, 2]);
    assert.deepEqual(await a.server.context.propagation.childrenUsing(oldSerial), {
      stations: 0,
      neighbours: [],
    });
    assert.deepEqual(await a.server.context.propagation.childrenUsing(newSerial), {
      stations: 3,
      neighbours: [b.siteId],
    });
    for (const lease of held) {
      const beat = await a.station(lease.lease.stationId, issued.sdkConfig).heartbeat(lease);
      const expected = moved.left.includes(lease.lease.stationId) ? 'LEASE_NOT_FOUND' : 'ok';
      assert.equal(codeOf(beat), expected);
      if (beat.ok) assert.equal(beat.value.lease.serial, newSerial);
    }
  });

  it('propagation of a new key with no free seats waits, and the loop donates once seats free up', async () => {
    const issued = await vendor.issue({ items: { cad: { nodes: 4 } } }, 2);
    const [oldSerial, newSerial] = [serialOf(issued, 0), serialOf(issued, 1)];
    await addKey(a, oldSerial);
    assert.equal((await donate(oldSerial, b, 2)).body.state, 'delivered');
    await addKey(a, newSerial);
    const onA = await race(a, issued, 'full', 10);
    assert.equal(onA.length, 6);
    const propagated = await a.server.context.propagation.propagateToNeighbours(oldSerial, newSerial);
    assert.deepEqual(propagated, [{ siteId: b.siteId, state: 'waiting', replaced: false }]);
    assert.deepEqual((await a.server.context.propagation.childrenUsing(oldSerial)).neighbours, []);

    await a.server.context.propagation.syncNeighbours();
    const waiting = (await licensesOf(a)).find((license) => license.serial === newSerial);
    assert.deepEqual(waiting?.propagation.neighbours, [{ siteId: b.siteId, seats: 2, state: 'waiting' }]);
    await release(
      a,
      issued,
      onA.filter((lease) => lease.lease.serial === newSerial),
    );
    await a.server.context.propagation.syncNeighbours();
    const delivered = (await licensesOf(a)).find((license) => license.serial === newSerial);
    assert.deepEqual(delivered?.propagation.neighbours, [{ siteId: b.siteId, seats: 2, state: 'delivered' }]);
    assert.ok((await licensesOf(b)).some((license) => license.serial === newSerial));
  });

  it('the neighbour commands and propagation, with --json', async () => {
    const env = { HOME: a.dataDir, KEYWARD_SITE_URL: a.url, KEYWARD_SITE_TOKEN: a.token };
    const issued = await vendor.issue({ items: { cad: { nodes: 5 } } }, 2);
    const [serial, other] = [serialOf(issued, 0), serialOf(issued, 1)];
    await addKey(a, serial);
    const { neighbours } = await json<{ neighbours: Array<{ siteId: string }> }>(
      ['site', 'neighbour', 'list'],
      env,
    );
    assert.ok(neighbours.some((n) => n.siteId === b.siteId));
    const parent = newId('sit');
    await json(['site', 'neighbour', 'add', '--parent', '--site-id', parent, '--name', 'Region'], env);
    assert.equal(
      await refusal(['site', 'neighbour', 'add', '--parent', '--site-id', parent], env),
      'NEIGHBOUR_EXISTS',
    );
    await json(['site', 'neighbour', 'remove', parent], env);

    const donated = await json<{ state: string }>(
      [
        'site',
        'license',
        'propagate',
        serial,
        '--neighbour',
        b.siteId,
        '--item',
        'cad',
        '--seat',
        'nodes',
        '--seats',
        '2',
      ],
      env,
    );
    assert.equal(donated.state, 'delivered');
    // One seat leased here: B's share may grow to 4 of the 5, not to 5.
    const station = a.station('cli-station', issued.sdkConfig);
    const lease = await station.lease('cad', 'nodes');
    assert.ok(lease.ok && lease.value.lease.serial === serial);
    assert.equal(
      await refusal(
        [
          'site',
          'license',
          'propagate',
          serial,
          '--neighbour',
          b.siteId,
          '--item',
          'cad',
          '--seat',
          'nodes',
          '--seats',
          '5',
        ],
        env,
      ),
      'NOT_ENOUGH_SEATS',
    );
    const { licenses } = await json<{ licenses: LicenseView[] }>(['site', 'license', 'list'], env);
    assert.deepEqual(licenses.find((license) => license.serial === serial)?.propagation.neighbours, [
      { siteId: b.siteId, seats: 2, state: 'delivered' },
    ]);

    await addKey(a, other);
    const moved = await json<{ moved: string[] }>(
      ['site', 'license', 'propagate', other, '--station', 'cli-station'],
      env,
    );
    assert.deepEqual(moved.moved, ['cli-station']);
    await json(['site', 'license', 'unpropagate', serial, '--neighbour', b.siteId], env);
    assert.equal(
      await refusal(['site', 'license', 'unpropagate', serial, '--neighbour', b.siteId], env),
      'NEIGHBOUR_NOT_FOUND',
    );
  });

  it('a child that is offline gets its donation from the loop when it is back', async () => {
    const issued = await vendor.issue({ items: { cad: { nodes: 10 } } });
    const serial = serialOf(issued);
    await addKey(a, serial);
    await b.stop();
    const pending = await donate(serial, b, 5);
    assert.deepEqual([pending.status, pending.body.state], [200, 'pending']);
    assert.equal((await race(a, issued, 'offline', 10)).length, 5);
    await a.server.context.propagation.syncNeighbours();
    const child = (
      await a.admin<{ neighbours: Array<{ siteId: string; lastError: string | null }> }>(
        'GET',
        '/v1/site/neighbours',
      )
    ).neighbours.find((n) => n.siteId === b.siteId);
    assert.match(child?.lastError ?? '', /did not answer/);

    await b.start();
    await a.server.context.propagation.syncNeighbours();
    const held = (await licensesOf(a)).find((license) => license.serial === serial);
    assert.deepEqual(held?.propagation.neighbours, [{ siteId: b.siteId, seats: 5, state: 'delivered' }]);
    assert.equal((await race(b, issued, 'back', 8)).length, 5);
  });
});
