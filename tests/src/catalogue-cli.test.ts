import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { License, Policy } from '@keyward/core';
import { json, keyward, refusal } from './support/cli.js';
import { testComputer } from './support/computer.js';
import { queueUpdate } from './support/updates.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

describe('the catalogue with the keyward command', () => {
  let vendor: TestVendor;
  let root: string;
  let env: Record<string, string>;

  before(async () => {
    vendor = await startTestVendor();
    root = await mkdtemp(join(tmpdir(), 'keyward-catalogue-cli-'));
    env = { HOME: root, KEYWARD_URL: vendor.url, KEYWARD_TOKEN: vendor.token };
    await json(['admin', 'product', 'create', '--code', 'cad', '--name', 'CAD'], env);
    await json(['admin', 'product', 'create', '--code', 'cam', '--name', 'CAM'], env);
  });
  after(async () => {
    await vendor.close();
    await rm(root, { recursive: true, force: true });
  });

  it('creates a policy with --max-transfers unlimited, as its help says', async () => {
    const policy = await json<Policy>(
      ['admin', 'policy', 'create', '--product', 'cad', '--name', 'Std', '--max-transfers', 'unlimited'],
      env,
    );
    assert.equal(policy.maxTransfers, null);
    const ran = await keyward(
      ['admin', 'policy', 'create', '--product', 'cam', '--name', 'Std', '--max-transfers', 'unlimited'],
      env,
    );
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /transfers unlimited/);
  });

  it('prints an expiry given as a day as "valid through" that day, in every command', async () => {
    const ran = await keyward(
      ['admin', 'license', 'create', '--policy', 'Std', '--product', 'cad', '--expires', '2027-03-31'],
      env,
    );
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, / valid through 2027-03-31 \(UTC\) /);
    const serial = ran.stdout.split(' ')[0] ?? '';
    const { license } = await json<{ license: License }>(['admin', 'license', 'show', serial], env);
    assert.equal(license.expiresAt, '2027-04-01T00:00:00.000Z', 'stored as the midnight ending that day');
    const listed = await keyward(['admin', 'license', 'list', '--product', 'cad'], env);
    assert.match(listed.stdout, new RegExp(`${serial} +active +valid through 2027-03-31 \\(UTC\\) `));
    const shown = await keyward(['admin', 'license', 'show', serial], env);
    assert.match(shown.stdout, /Expires +valid through 2027-03-31 \(UTC\)\n/);
  });

  it('takes a policy by name, and asks for the product when the name is used by several', async () => {
    assert.equal(await refusal(['admin', 'license', 'create', '--policy', 'Std'], env), 'POLICY_AMBIGUOUS');
    assert.equal(
      await refusal(['admin', 'license', 'create', '--policy', 'Gold', '--product', 'cad'], env),
      'POLICY_NOT_FOUND',
    );
    const { licenses } = await json<{ licenses: License[] }>(
      ['admin', 'license', 'create', '--policy', 'Std', '--product', 'cam', '--count', '2'],
      env,
    );
    const listed = await json<{ licenses: License[] }>(
      ['admin', 'license', 'list', '--policy', 'Std', '--product', 'cam'],
      env,
    );
    assert.deepEqual(listed.licenses.map((l) => l.id).sort(), licenses.map((l) => l.id).sort());
  });

  it('edits and archives policies and products; archived ones list only when asked', async () => {
    await json(['admin', 'policy', 'create', '--product', 'cad', '--name', 'Old'], env);
    assert.equal(
      await refusal(['admin', 'policy', 'edit', 'Old', '--product', 'cad', '--name', 'Std'], env),
      'POLICY_NAME_TAKEN',
    );
    const edited = await json<Policy>(
      ['admin', 'policy', 'edit', 'Old', '--product', 'cad', '--name', 'Legacy', '--duration-days', '30'],
      env,
    );
    assert.deepEqual([edited.name, edited.durationDays], ['Legacy', 30]);
    const archived = await keyward(['admin', 'policy', 'archive', 'Legacy', '--reason', 'replaced'], env);
    assert.match(archived.stdout, /Legacy \(archived\)/);
    assert.equal(await refusal(['admin', 'license', 'create', '--policy', 'Legacy'], env), 'POLICY_ARCHIVED');
    const current = await keyward(['admin', 'policy', 'list', '--product', 'cad'], env);
    assert.doesNotMatch(current.stdout, /Legacy/);
    const only = await keyward(['admin', 'policy', 'list', '--archived'], env);
    assert.match(only.stdout, /Legacy \(archived\)/);

    await json(['admin', 'product', 'create', '--code', 'old', '--name', 'Old'], env);
    await json(['admin', 'product', 'edit', 'old', '--name', 'Old product'], env);
    await json(['admin', 'product', 'archive', 'old'], env);
    assert.equal(
      await refusal(['admin', 'policy', 'create', '--product', 'old', '--name', 'Std'], env),
      'PRODUCT_ARCHIVED',
    );
    const products = await keyward(['admin', 'product', 'list', '--include-archived'], env);
    assert.match(products.stdout, /old +Old product .*\(archived\)/);
  });

  it("edits a license's note (printed safely), and archives it only once revoked", async () => {
    const { licenses } = await json<{ licenses: License[] }>(
      ['admin', 'license', 'create', '--policy', 'Std', '--product', 'cad'],
      env,
    );
    const serial = licenses[0]?.serial ?? '';
    const noted = await keyward(['admin', 'license', 'edit', serial, '--note', 'ACME \u001b[2J'], env);
    assert.equal(noted.code, 0, noted.stderr);
    assert.match(noted.stdout, /Note: ACME \\u001b\[2J/);
    assert.equal(await refusal(['admin', 'license', 'archive', serial], env), 'LICENSE_STILL_VALID');
    await json(['admin', 'license', 'revoke', serial, '--reason', 'refund'], env);
    await json(['admin', 'license', 'archive', serial], env);
    const listed = await keyward(['admin', 'license', 'list', '--product', 'cad'], env);
    assert.doesNotMatch(listed.stdout, new RegExp(serial));
    const archived = await keyward(['admin', 'license', 'list', '--product', 'cad', '--archived'], env);
    assert.match(archived.stdout, new RegExp(`${serial} .*\\(archived\\)`));
  });

  it('lists updates with their transport and whether they are applied, and shows refusals and releases in the history', async () => {
    const issued = await vendor.issue();
    const serial = issued.licenses[0]?.serial ?? '';
    const a = await testComputer('cli-history-a', issued.sdkConfig);
    const b = await testComputer('cli-history-b', issued.sdkConfig);
    assert.ok((await a.client.activate(serial)).ok);
    await queueUpdate(vendor, serial, [{ op: 'set-expiry', expiresAt: '2028-01-01T00:00:00.000Z' }]);
    const pending = await keyward(['admin', 'update', 'list', serial], env);
    assert.match(
      pending.stdout,
      /0 -> 1 +online +not applied +set-expiry \(valid through 2027-12-31 \(UTC\)\)/,
    );
    assert.ok((await a.restart().updates.pull()).ok);
    assert.ok((await a.restart().updates.pull()).ok);
    const done = await keyward(['admin', 'update', 'list', serial], env);
    assert.match(done.stdout, /0 -> 1 +online +applied +set-expiry/);

    assert.ok(!(await b.client.activate(serial)).ok);
    assert.ok((await a.restart().deactivate()).ok);
    const shown = await keyward(['admin', 'license', 'show', serial], env);
    assert.match(shown.stdout, /computer +activation refused: SERIAL_BOUND_ELSEWHERE \(from /);
    assert.match(shown.stdout, /computer +released by its computer/);
    assert.match(shown.stdout, /license +activated/);
  });
});
