import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  decodeSiteLicenseFile,
  generateKeyMaterial,
  type License,
  newNonce,
  privateKeyFromMaterial,
  type SignedEnvelope,
  type Signer,
  type SiteReport,
  signRenewalRequest,
  signSiteReport,
  verifyRenewalAnswer,
  verifySiteCertificate,
  verifySiteLicense,
} from '@keyward/core';
import type { Browser } from 'playwright-core';
import { inspectScreen, launchBrowser, newPage } from './support/browser.js';
import { json, keyward, refusal } from './support/cli.js';
import { vendorKeysOf } from './support/site-server.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

const DAY_MS = 86_400_000;

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface RegisteredSite {
  readonly id: string;
  readonly signer: Signer;
  readonly certificate: unknown;
}

interface RenewalEntry {
  id: string;
  product: string;
  licenseSerial: string;
  licenseExpiresAt: string | null;
  renewalSerial: string;
  renewalExpiresAt: string | null;
  createdAt: string;
  fetchedAt: string | null;
  fetchedBySite: string | null;
}

async function call(vendor: TestVendor, method: string, path: string, body?: unknown, admin = true) {
  const response = await fetch(`${vendor.url}${path}`, {
    method,
    headers: {
      ...(admin ? { authorization: `Bearer ${vendor.token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> } as Answer;
}

const outcome = (answer: Answer) => [answer.status, answer.body.code];

/** A site server the vendor registered, with the private key it signs its requests with. */
async function registerSite(vendor: TestVendor, name: string): Promise<RegisteredSite> {
  const material = generateKeyMaterial('ed25519');
  const registered = await call(vendor, 'POST', '/v1/sites', { name, siteKey: material.publicKey });
  assert.equal(registered.status, 201);
  const id = (registered.body.site as { id: string }).id;
  return {
    id,
    signer: { kid: `site-${id}`, privateKey: privateKeyFromMaterial(material) },
    certificate: registered.body.certificate,
  };
}

/** Licenses of one product, expiring so many days from the vendor's now (null: never). */
async function licensesOf(
  vendor: TestVendor,
  issued: Issued,
  ...days: Array<number | null>
): Promise<License[]> {
  const licenses: License[] = [];
  for (const day of days) {
    const expiresAt =
      day === null ? undefined : new Date(vendor.clock.now().getTime() + day * DAY_MS).toISOString();
    const created = await vendor.admin<{ licenses: License[] }>('POST', '/v1/licenses', {
      policy: issued.policy.id,
      ...(expiresAt === undefined ? {} : { expiresAt }),
    });
    licenses.push(...created.licenses);
  }
  return licenses;
}

function renewalRequest(
  vendor: TestVendor,
  site: RegisteredSite,
  serial: string,
  change: Partial<{ issuedAt: string; siteId: string }> = {},
) {
  return signRenewalRequest(
    { siteId: site.id, serial, issuedAt: vendor.clock.now().toISOString(), nonce: newNonce(), ...change },
    site.signer,
  );
}

const askRenewal = (vendor: TestVendor, request: SignedEnvelope) =>
  call(vendor, 'POST', '/v1/site-api/renewals', { request }, false);

const renewalsOf = async (vendor: TestVendor, license: string) =>
  (await vendor.admin<{ renewals: RenewalEntry[] }>('GET', `/v1/renewals?license=${license}`)).renewals;

const issueToSite = async (vendor: TestVendor, site: RegisteredSite, serial: string) =>
  assert.equal(
    (await call(vendor, 'POST', `/v1/sites/${site.id}/licenses`, { license: serial })).status,
    201,
  );

const serialsOfSite = async (vendor: TestVendor, site: RegisteredSite) =>
  (await vendor.admin<{ serials: string[] }>('GET', `/v1/sites/${site.id}`)).serials;

describe('renewals bought in advance', () => {
  let vendor: TestVendor;
  let issued: Issued;
  before(async () => {
    vendor = await startTestVendor();
    issued = await vendor.issue();
  });
  after(() => vendor.close());

  describe('admin API', () => {
    it('ties a renewal to the license it renews, once, and refuses what cannot renew it', async () => {
      const [old, renewal, earlier, revoked, spare] = await licensesOf(vendor, issued, 30, 395, 10, 395, 400);
      const [foreign] = await licensesOf(vendor, await vendor.issue(), 395);
      assert.ok(old && renewal && earlier && revoked && spare && foreign);
      await vendor.admin('POST', `/v1/licenses/${revoked.serial}/revoke`, { reason: 'refunded' });
      const tie = (license: string, body: unknown) =>
        call(vendor, 'POST', `/v1/licenses/${license}/renewals`, body);
      assert.deepEqual(
        [
          await tie(old.serial, { renewal: old.serial }),
          await tie(old.serial, { renewal: foreign.serial }),
          await tie(old.serial, { renewal: earlier.serial }),
          await tie(old.serial, { renewal: revoked.serial }),
          await tie(old.serial, { renewal: 'lic_unknown' }),
          await tie('lic_unknown', { renewal: renewal.serial }),
        ].map(outcome),
        [
          [400, 'RENEWAL_INVALID'],
          [400, 'RENEWAL_INVALID'],
          [400, 'RENEWAL_INVALID'],
          [403, 'LICENSE_REVOKED'],
          [404, 'LICENSE_NOT_FOUND'],
          [404, 'LICENSE_NOT_FOUND'],
        ],
      );
      assert.deepEqual(await renewalsOf(vendor, old.serial), [], 'no refusal stored anything');

      const tied = await tie(old.serial, { renewal: renewal.id });
      assert.equal(tied.status, 201);
      assert.match(String(tied.body.id), /^ren_[a-z0-9]{26}$/);
      assert.deepEqual(outcome(await tie(old.id, { renewal: spare.serial })), [409, 'RENEWAL_EXISTS']);
      assert.deepEqual(outcome(await tie(earlier.serial, { renewal: renewal.serial })), [
        400,
        'RENEWAL_INVALID',
      ]);

      const [entry] = await renewalsOf(vendor, old.serial);
      assert.deepEqual(entry, {
        id: tied.body.id,
        product: issued.product.code,
        licenseSerial: old.serial,
        licenseExpiresAt: old.expiresAt,
        renewalSerial: renewal.serial,
        renewalExpiresAt: renewal.expiresAt,
        createdAt: entry?.createdAt,
        fetchedAt: null,
        fetchedBySite: null,
      });
      assert.deepEqual(
        await renewalsOf(vendor, renewal.serial),
        [entry],
        'listed by the renewal license too',
      );
      const all = await vendor.admin<{ renewals: RenewalEntry[] }>('GET', '/v1/renewals');
      assert.ok(all.renewals.some((listed) => listed.id === entry?.id));
      assert.deepEqual(outcome(await call(vendor, 'GET', '/v1/renewals?license=lic_unknown')), [
        404,
        'LICENSE_NOT_FOUND',
      ]);

      assert.deepEqual((await call(vendor, 'DELETE', `/v1/renewals/${entry?.id}`)).body, {
        removed: entry?.id,
      });
      assert.deepEqual(outcome(await call(vendor, 'DELETE', `/v1/renewals/${entry?.id}`)), [
        404,
        'RENEWAL_NOT_FOUND',
      ]);
      assert.equal(
        (await tie(old.serial, { renewal: spare.serial })).status,
        201,
        'removed, another may be tied',
      );
    });
  });

  describe('site API: fetching a renewal', () => {
    let site: RegisteredSite;
    let other: RegisteredSite;
    before(async () => {
      site = await registerSite(vendor, 'Plant A');
      other = await registerSite(vendor, 'Plant B');
    });

    it('hands the waiting renewal as a key file for the asking site, again on asking again', async () => {
      const [old, renewal, next] = await licensesOf(vendor, issued, 20, 385, 750);
      assert.ok(old && renewal && next);
      await issueToSite(vendor, site, old.serial);
      const asking = renewalRequest(vendor, site, old.serial);
      const none = await askRenewal(vendor, asking);
      assert.deepEqual([none.status, none.body.serial, none.body.renewal], [200, old.serial, null]);
      // "None waits" is the vendor's signed word for this request: it cannot be faked on the way.
      const asked = JSON.parse(Buffer.from(asking.payload, 'base64url').toString()) as { nonce: string };
      const noneSigned = verifyRenewalAnswer(none.body.answer, vendorKeysOf(issued.sdkConfig), {
        siteId: site.id,
        serial: old.serial,
        nonce: asked.nonce,
      });
      assert.equal(noneSigned.ok && noneSigned.value.renewal, null);
      const replayed = verifyRenewalAnswer(none.body.answer, vendorKeysOf(issued.sdkConfig), {
        siteId: site.id,
        serial: old.serial,
        nonce: newNonce(),
      });
      assert.equal(replayed.ok ? 'accepted' : replayed.error.code, 'ANSWER_MISMATCH');

      await vendor.admin('POST', `/v1/licenses/${old.serial}/renewals`, { renewal: renewal.serial });
      const fetched = await askRenewal(vendor, renewalRequest(vendor, site, old.serial));
      assert.equal(fetched.status, 200);
      const answer = fetched.body.renewal as { serial: string; expiresAt: string; file: string };
      assert.deepEqual([answer.serial, answer.expiresAt], [renewal.serial, renewal.expiresAt]);
      const envelope = decodeSiteLicenseFile(answer.file);
      assert.ok(envelope.ok);
      const certificate = verifySiteCertificate(site.certificate, vendorKeysOf(issued.sdkConfig));
      assert.ok(certificate.ok);
      const file = verifySiteLicense(envelope.value, vendorKeysOf(issued.sdkConfig), certificate.value);
      assert.ok(file.ok, JSON.stringify(file));
      assert.deepEqual([file.value.serial, file.value.siteId], [renewal.serial, site.id]);
      const otherCertificate = verifySiteCertificate(other.certificate, vendorKeysOf(issued.sdkConfig));
      assert.ok(otherCertificate.ok);
      assert.equal(
        verifySiteLicense(envelope.value, vendorKeysOf(issued.sdkConfig), otherCertificate.value).ok,
        false,
        'the file is for the asking site only',
      );

      const [first] = await renewalsOf(vendor, old.serial);
      assert.equal(first?.fetchedBySite, site.id);
      assert.ok(first?.fetchedAt);
      vendor.clock.advanceSeconds(60);
      const again = await askRenewal(vendor, renewalRequest(vendor, site, old.serial));
      assert.equal((again.body.renewal as { serial: string }).serial, renewal.serial);
      assert.deepEqual(await renewalsOf(vendor, old.serial), [first], 'the first fetch is what is recorded');

      // The renewal was issued to the site, so the site may ask for the renewal of the renewal.
      assert.deepEqual((await serialsOfSite(vendor, site)).sort(), [old.serial, renewal.serial].sort());
      await vendor.admin('POST', `/v1/licenses/${renewal.serial}/renewals`, { renewal: next.serial });
      const chained = await askRenewal(vendor, renewalRequest(vendor, site, renewal.serial));
      assert.equal((chained.body.renewal as { serial: string }).serial, next.serial);
    });

    it('refuses a request signed by another key, for another site, stale, tampered or for a serial never issued, and changes nothing', async () => {
      const [old, renewal, neverIssued] = await licensesOf(vendor, issued, 20, 385, 20);
      assert.ok(old && renewal && neverIssued);
      await issueToSite(vendor, site, old.serial);
      await vendor.admin('POST', `/v1/licenses/${old.serial}/renewals`, { renewal: renewal.serial });
      const serialsBefore = await serialsOfSite(vendor, site);
      const now = vendor.clock.now().getTime();
      const impostor: Signer = {
        kid: `site-${site.id}`,
        privateKey: privateKeyFromMaterial(generateKeyMaterial('ed25519')),
      };
      const genuine = renewalRequest(vendor, site, old.serial);
      const payload = JSON.parse(Buffer.from(genuine.payload, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      const tampered = {
        ...genuine,
        payload: Buffer.from(JSON.stringify({ ...payload, serial: neverIssued.serial })).toString(
          'base64url',
        ),
      };
      const unknownSite: Signer = {
        kid: 'site-sit_00000000000000000000000000',
        privateKey: site.signer.privateKey,
      };
      const outcomes = [
        signRenewalRequest(
          { siteId: site.id, serial: old.serial, issuedAt: new Date(now).toISOString(), nonce: newNonce() },
          impostor,
        ),
        renewalRequest(vendor, other, old.serial, { siteId: site.id }),
        renewalRequest(vendor, other, old.serial),
        renewalRequest(vendor, site, old.serial, { issuedAt: new Date(now - 11 * 60_000).toISOString() }),
        renewalRequest(vendor, site, old.serial, { issuedAt: new Date(now + 25 * 3_600_000).toISOString() }),
        tampered,
        renewalRequest(vendor, site, neverIssued.serial),
        renewalRequest(vendor, site, 'NO-SUCH-SERIAL'),
        signRenewalRequest(
          {
            siteId: 'sit_00000000000000000000000000',
            serial: old.serial,
            issuedAt: new Date(now).toISOString(),
            nonce: newNonce(),
          },
          unknownSite,
        ),
      ];
      const answers = [];
      for (const request of outcomes) answers.push(outcome(await askRenewal(vendor, request)));
      answers.push(
        outcome(await call(vendor, 'POST', '/v1/site-api/renewals', { request: { v: 1, kid: 'x' } }, false)),
      );
      assert.deepEqual(answers, [
        [400, 'SIGNATURE_INVALID'],
        [400, 'WRONG_SITE'],
        [404, 'SITE_LICENSE_NOT_FOUND'],
        [400, 'REQUEST_STALE'],
        [400, 'REQUEST_STALE'],
        [400, 'SIGNATURE_INVALID'],
        [404, 'SITE_LICENSE_NOT_FOUND'],
        [404, 'SITE_LICENSE_NOT_FOUND'],
        [404, 'SITE_NOT_FOUND'],
        [400, 'VALIDATION_FAILED'],
      ]);
      const [entry] = await renewalsOf(vendor, old.serial);
      assert.deepEqual([entry?.fetchedAt, entry?.fetchedBySite], [null, null], 'not marked fetched');
      assert.deepEqual(await serialsOfSite(vendor, site), serialsBefore, 'nothing issued');
      assert.deepEqual(await serialsOfSite(vendor, other), []);
    });

    it('does not hand out a renewal license that was suspended or revoked since it was tied', async () => {
      const [suspendedOld, suspended, revokedOld, revoked] = await licensesOf(
        vendor,
        issued,
        20,
        385,
        20,
        385,
      );
      assert.ok(suspendedOld && suspended && revokedOld && revoked);
      for (const [old, renewal] of [
        [suspendedOld, suspended],
        [revokedOld, revoked],
      ] as const) {
        await issueToSite(vendor, site, old.serial);
        await vendor.admin('POST', `/v1/licenses/${old.serial}/renewals`, { renewal: renewal.serial });
      }
      await vendor.admin('POST', `/v1/licenses/${suspended.serial}/suspend`, {});
      await vendor.admin('POST', `/v1/licenses/${revoked.serial}/revoke`, { reason: 'chargeback' });
      assert.deepEqual(outcome(await askRenewal(vendor, renewalRequest(vendor, site, suspendedOld.serial))), [
        403,
        'LICENSE_SUSPENDED',
      ]);
      assert.deepEqual(outcome(await askRenewal(vendor, renewalRequest(vendor, site, revokedOld.serial))), [
        403,
        'LICENSE_REVOKED',
      ]);
      assert.equal((await renewalsOf(vendor, suspendedOld.serial))[0]?.fetchedAt, null);
      assert.equal((await serialsOfSite(vendor, site)).includes(revoked.serial), false);
    });
  });

  describe('site API: reports and the fleet view', () => {
    let site: RegisteredSite;
    let other: RegisteredSite;
    before(async () => {
      site = await registerSite(vendor, 'Plant R');
      other = await registerSite(vendor, 'Plant S');
    });

    const report = (of: RegisteredSite, minutesAgo: number, stations: number): SiteReport => ({
      siteId: of.id,
      protocol: 2,
      issuedAt: new Date(vendor.clock.now().getTime() - minutesAgo * 60_000).toISOString(),
      licenses: [
        {
          serial: 'KW-REPORTED-1',
          product: issued.product.code,
          origin: 'manual',
          expiresAt: null,
          fromSiteId: null,
          replacedBy: null,
          stations,
          neighbours: [{ siteId: other.id, seats: 2, state: 'delivered' }],
        },
      ],
    });
    const send = (envelope: SignedEnvelope) =>
      call(vendor, 'POST', '/v1/site-api/reports', { report: envelope }, false);
    const latest = async () =>
      (
        await vendor.admin<{ report: (SiteReport & { receivedAt: string }) | null }>(
          'GET',
          `/v1/sites/${site.id}`,
        )
      ).report;

    it('keeps the newest report of each site, ignores an older one and refuses a forged or future one', async () => {
      assert.equal(await latest(), null);
      assert.deepEqual((await send(signSiteReport(report(site, 10, 3), site.signer))).body, {
        accepted: true,
      });
      assert.equal((await latest())?.licenses[0]?.stations, 3);
      assert.deepEqual((await send(signSiteReport(report(site, 20, 1), site.signer))).body, {
        accepted: false,
      });
      assert.equal((await latest())?.licenses[0]?.stations, 3, 'the older report is ignored');
      assert.deepEqual((await send(signSiteReport(report(site, 1, 7), site.signer))).body, {
        accepted: true,
      });
      const kept = await latest();
      assert.equal(kept?.licenses[0]?.stations, 7);
      assert.deepEqual(kept?.licenses[0]?.neighbours, [{ siteId: other.id, seats: 2, state: 'delivered' }]);
      assert.ok(kept?.receivedAt);

      const impostor = { kid: `site-${site.id}`, privateKey: other.signer.privateKey };
      assert.deepEqual(
        [
          await send(signSiteReport(report(site, 0, 9), impostor)),
          await send(signSiteReport(report(site, 0, 9), other.signer)),
          // Beyond the clock skew the vendor allows any signed request (a day).
          await send(signSiteReport(report(site, -25 * 60, 9), site.signer)),
        ].map(outcome),
        [
          [400, 'SIGNATURE_INVALID'],
          [400, 'WRONG_SITE'],
          [400, 'REQUEST_STALE'],
        ],
      );
      assert.equal((await latest())?.licenses[0]?.stations, 7, 'no refused report replaced it');
      const { sites } = await vendor.admin<{ sites: Array<{ id: string; lastReportAt: string | null }> }>(
        'GET',
        '/v1/sites',
      );
      assert.equal(sites.find((listed) => listed.id === site.id)?.lastReportAt, kept?.receivedAt);
      assert.equal(sites.find((listed) => listed.id === other.id)?.lastReportAt, null);
      assert.deepEqual(outcome(await call(vendor, 'GET', '/v1/sites/sit_00000000000000000000000000')), [
        404,
        'SITE_NOT_FOUND',
      ]);
    });
  });

  describe('keyward admin renewal and admin site show', () => {
    it('ties, lists and removes renewals, and shows a site with the keys it reported', async () => {
      const env = { KEYWARD_URL: vendor.url, KEYWARD_TOKEN: vendor.token };
      const [old, renewal, spare] = await licensesOf(vendor, issued, 15, 380, 390);
      assert.ok(old && renewal && spare);
      const tied = await json<RenewalEntry>(
        ['admin', 'renewal', 'add', '--license', old.serial, '--renewal', renewal.serial],
        env,
      );
      assert.equal(tied.renewalSerial, renewal.serial);
      assert.equal(
        await refusal(['admin', 'renewal', 'add', '--license', old.serial, '--renewal', spare.serial], env),
        'RENEWAL_EXISTS',
      );
      const listed = await json<{ renewals: RenewalEntry[] }>(
        ['admin', 'renewal', 'list', '--license', old.serial],
        env,
      );
      assert.deepEqual(
        listed.renewals.map((entry) => entry.id),
        [tied.id],
      );
      const human = await keyward(['admin', 'renewal', 'list', '--license', old.serial], env);
      assert.match(human.stdout, new RegExp(`${old.serial} .*-> ${renewal.serial} .*waiting`));
      assert.deepEqual(await json(['admin', 'renewal', 'remove', tied.id], env), { removed: tied.id });
      assert.equal(await refusal(['admin', 'renewal', 'remove', tied.id], env), 'RENEWAL_NOT_FOUND');

      const site = await registerSite(vendor, 'Plant CLI');
      const neighbour = await registerSite(vendor, 'Plant CLI child');
      await issueToSite(vendor, site, old.serial);
      const held: SiteReport = {
        siteId: site.id,
        protocol: 2,
        issuedAt: vendor.clock.now().toISOString(),
        licenses: [
          {
            serial: old.serial,
            product: issued.product.code,
            origin: 'manual',
            expiresAt: old.expiresAt,
            fromSiteId: null,
            replacedBy: null,
            stations: 4,
            neighbours: [{ siteId: neighbour.id, seats: 3, state: 'delivered' }],
          },
        ],
      };
      await call(
        vendor,
        'POST',
        '/v1/site-api/reports',
        { report: signSiteReport(held, site.signer) },
        false,
      );
      const shown = await keyward(['admin', 'site', 'show', site.id], env);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /SERIAL\s+PRODUCT\s+ORIGIN\s+EXPIRES\s+STATIONS\s+NEIGHBOURS/);
      assert.match(
        shown.stdout,
        new RegExp(`${old.serial}\\s+${issued.product.code}\\s+manual\\s+.*\\s4\\s+${neighbour.id} 3 seat`),
      );
      const document = await json<{ site: { id: string }; report: SiteReport }>(
        ['admin', 'site', 'show', site.id],
        env,
      );
      assert.deepEqual([document.site.id, document.report.licenses[0]?.stations], [site.id, 4]);
      assert.equal(
        await refusal(['admin', 'site', 'show', 'sit_00000000000000000000000000'], env),
        'SITE_NOT_FOUND',
      );
    });
  });

  describe('staff portal: Sites and Renewals, in headless Chromium', () => {
    let browser: Browser;
    before(async () => {
      browser = await launchBrowser();
    });
    after(() => browser.close());

    it("shows the fleet with each site's keys and where they went, and ties and removes a renewal", async () => {
      const [old, renewal] = await licensesOf(vendor, issued, 25, 390);
      assert.ok(old && renewal);
      const site = await registerSite(vendor, 'Plant Browser');
      const neighbour = await registerSite(vendor, 'Plant Browser child');
      await issueToSite(vendor, site, old.serial);
      const held: SiteReport = {
        siteId: site.id,
        protocol: 2,
        issuedAt: vendor.clock.now().toISOString(),
        licenses: [
          {
            serial: old.serial,
            product: issued.product.code,
            origin: 'manual',
            expiresAt: old.expiresAt,
            fromSiteId: null,
            replacedBy: null,
            stations: 5,
            neighbours: [{ siteId: neighbour.id, seats: 2, state: 'pending' }],
          },
        ],
      };
      await call(
        vendor,
        'POST',
        '/v1/site-api/reports',
        { report: signSiteReport(held, site.signer) },
        false,
      );

      const page = await newPage(browser);
      await page.goto(`${vendor.url}/portal/staff/sites`);
      await page.getByText('Vendor staff: sign in with an admin token').click();
      await page.getByLabel('Admin token').fill(vendor.token);
      await page.getByRole('button', { name: 'Sign in as staff' }).click();
      await page.getByRole('link', { name: 'Sites' }).click();
      assert.equal(await page.title(), 'Sites · Keyward portal');
      await inspectScreen(page, 'staff-sites');
      await page.getByRole('link', { name: 'Plant Browser', exact: true }).click();
      const key = page.getByRole('row').filter({ hasText: old.serial });
      assert.match(
        await key.innerText(),
        new RegExp(`manual[\\s\\S]*5[\\s\\S]*${neighbour.id}: 2 seat\\(s\\), pending`),
      );
      await inspectScreen(page, 'staff-site');

      await page.getByRole('link', { name: 'Renewals' }).click();
      await page.getByLabel('License to renew (serial number)').fill(old.serial);
      await page.getByLabel('Renewal license (serial number)').fill(old.serial);
      await page.getByRole('button', { name: 'Tie the renewal' }).click();
      assert.match(await page.locator('#f-renewal-error').innerText(), /cannot renew itself/);
      await inspectScreen(page, 'staff-renewals-refused');
      await page.getByLabel('Renewal license (serial number)').fill(renewal.serial);
      await page.getByRole('button', { name: 'Tie the renewal' }).click();
      const row = page.getByRole('row').filter({ hasText: renewal.serial });
      assert.match(await row.innerText(), /waiting/);
      await inspectScreen(page, 'staff-renewals');
      assert.equal((await renewalsOf(vendor, old.serial)).length, 1);

      await row.getByRole('button', { name: `Remove the renewal of ${old.serial}` }).click();
      assert.equal(await page.getByRole('row').filter({ hasText: renewal.serial }).count(), 0);
      assert.deepEqual(await renewalsOf(vendor, old.serial), []);
    });
  });
});
