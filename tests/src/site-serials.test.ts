import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  generateKeyMaterial,
  newNonce,
  privateKeyFromMaterial,
  type ReceivedError,
  type Result,
  type Signer,
  signRenewalRequest,
} from '@keyward/core';
import { testComputer } from './support/computer.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

/**
 * A serial has one holder: one site server, or a computer through its binding. Otherwise the
 * customer's seats would be lent twice.
 */

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface RegisteredSite {
  readonly id: string;
  readonly name: string;
  readonly signer: Signer;
}

const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);
const outcome = (answer: Answer) => [answer.status, answer.body.code ?? 'ok'];

async function call(vendor: TestVendor, path: string, body: unknown, admin = true): Promise<Answer> {
  const response = await fetch(`${vendor.url}${path}`, {
    method: 'POST',
    headers: {
      ...(admin ? { authorization: `Bearer ${vendor.token}` } : {}),
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function registerSite(vendor: TestVendor, name: string): Promise<RegisteredSite> {
  const material = generateKeyMaterial('ed25519');
  const registered = await call(vendor, '/v1/sites', { name, siteKey: material.publicKey });
  assert.equal(registered.status, 201);
  const id = (registered.body.site as { id: string }).id;
  return { id, name, signer: { kid: `site-${id}`, privateKey: privateKeyFromMaterial(material) } };
}

const issueTo = (vendor: TestVendor, site: RegisteredSite, serial: string) =>
  call(vendor, `/v1/sites/${site.id}/licenses`, { license: serial });

const askRenewal = (vendor: TestVendor, site: RegisteredSite, serial: string) =>
  call(
    vendor,
    '/v1/site-api/renewals',
    {
      request: signRenewalRequest(
        { siteId: site.id, serial, issuedAt: vendor.clock.now().toISOString(), nonce: newNonce() },
        site.signer,
      ),
    },
    false,
  );

describe('a serial is held by one site server or by computers, never both', () => {
  let vendor: TestVendor;
  let issued: Issued;
  let plantA: RegisteredSite;
  let plantB: RegisteredSite;
  let next = 0;
  const serial = () => {
    const license = issued.licenses[next++];
    assert.ok(license);
    return license.serial;
  };

  /** Licenses of the same policy expiring after the issued ones: renewals the vendor may tie. */
  const laterLicenses = async (count: number) => {
    const expiresAt = new Date(vendor.clock.now().getTime() + 800 * 86_400_000).toISOString();
    const serials: string[] = [];
    for (let made = 0; made < count; made++) {
      const { licenses } = await vendor.admin<{ licenses: Array<{ serial: string }> }>(
        'POST',
        '/v1/licenses',
        {
          policy: issued.policy.id,
          expiresAt,
        },
      );
      serials.push(...licenses.map((license) => license.serial));
    }
    return serials;
  };

  before(async () => {
    vendor = await startTestVendor();
    issued = await vendor.issue({ items: { cad: { nodes: 4 } }, durationDays: 365 }, 6);
    plantA = await registerSite(vendor, 'Plant A');
    plantB = await registerSite(vendor, 'Plant B');
  });
  after(() => vendor.close());

  it('issues a serial again to its site, and refuses it to a second site naming the first', async () => {
    const held = serial();
    const outcomes = [
      await issueTo(vendor, plantA, held),
      await issueTo(vendor, plantA, held),
      await issueTo(vendor, plantB, held),
    ];
    assert.deepEqual(outcomes.map(outcome), [
      [201, 'ok'],
      [201, 'ok'],
      [409, 'SITE_LICENSE_ISSUED_ELSEWHERE'],
    ]);
    assert.match(String(outcomes[2]?.body.message), new RegExp(`site Plant A \\(${plantA.id}\\)`));
    const { serials } = await vendor.admin<{ serials: string[] }>('GET', `/v1/sites/${plantB.id}`);
    assert.deepEqual(serials, []);
  });

  it('lets one of several sites racing for a serial have it', async () => {
    const raced = serial();
    const outcomes = await Promise.all(
      [plantA, plantB, plantA, plantB].map((site) => issueTo(vendor, site, raced)),
    );
    const winners = new Set(outcomes.flatMap((answer, index) => (answer.status === 201 ? [index % 2] : [])));
    assert.equal(winners.size, 1, 'one site only');
    assert.ok(
      outcomes.every(
        (answer) => answer.status === 201 || answer.body.code === 'SITE_LICENSE_ISSUED_ELSEWHERE',
      ),
    );
  });

  it('refuses to issue a serial activated on a computer until it is released', async () => {
    const bound = serial();
    const pc = await testComputer('bound-first', issued.sdkConfig);
    assert.equal(codeOf(await pc.client.activate(bound)), 'ok');
    const refused = await issueTo(vendor, plantA, bound);
    assert.deepEqual(outcome(refused), [409, 'SERIAL_ON_COMPUTER']);
    assert.match(String(refused.body.message), /release it first/);
    await vendor.admin('POST', `/v1/licenses/${bound}/release`, { reason: 'moved to the site server' });
    assert.deepEqual(outcome(await issueTo(vendor, plantA, bound)), [201, 'ok']);
  });

  it('refuses to activate a site serial online, by file and by phone, and the computer stays unlicensed', async () => {
    const held = serial();
    assert.equal((await issueTo(vendor, plantA, held)).status, 201);
    const pc = await testComputer('wants-site-serial', issued.sdkConfig);
    const online = await pc.client.activate(held);
    assert.equal(codeOf(online), 'SERIAL_HELD_BY_SITE');
    assert.match(online.ok ? '' : online.error.message, /held by a site server/);
    const after = await pc.restart().check();
    assert.equal(after.ok && after.value.status.serial, null, 'no serial in the container');

    const asked = await pc.restart().offline.request(held);
    assert.ok(asked.ok && asked.value.code !== null);
    const byFile = await call(vendor, '/v1/licenses/unlock', { request: asked.value.file });
    const byCode = await call(vendor, '/v1/licenses/unlock', { serial: held, requestCode: asked.value.code });
    assert.deepEqual([byFile, byCode].map(outcome), [
      [409, 'SERIAL_HELD_BY_SITE'],
      [409, 'SERIAL_HELD_BY_SITE'],
    ]);
    const { binding } = await vendor.admin<{ binding: unknown }>('GET', `/v1/licenses/${held}`);
    assert.equal(binding, null);
  });

  it('refuses a renewal another site or a computer holds, when it is fetched or issued', async () => {
    const [old, boundOld] = [serial(), serial()];
    const [renewal, boundRenewal] = await laterLicenses(2);
    assert.ok(renewal && boundRenewal);
    assert.equal((await issueTo(vendor, plantA, old)).status, 201);
    await vendor.admin('POST', `/v1/licenses/${old}/renewals`, { renewal });
    const fetched = await askRenewal(vendor, plantA, old);
    assert.equal((fetched.body.renewal as { serial: string } | null)?.serial, renewal);
    assert.deepEqual(outcome(await issueTo(vendor, plantB, renewal)), [409, 'SITE_LICENSE_ISSUED_ELSEWHERE']);

    assert.equal((await issueTo(vendor, plantB, boundOld)).status, 201);
    await vendor.admin('POST', `/v1/licenses/${boundOld}/renewals`, { renewal: boundRenewal });
    const pc = await testComputer('holds-renewal', issued.sdkConfig);
    assert.equal(codeOf(await pc.client.activate(boundRenewal)), 'ok');
    assert.deepEqual(outcome(await askRenewal(vendor, plantB, boundOld)), [409, 'SERIAL_ON_COMPUTER']);
  });
});
