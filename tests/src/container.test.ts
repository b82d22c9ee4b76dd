import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SdkConfig } from '@keyward/client';
import { generateKeyMaterial, generateSerial, keyIdOf } from '@keyward/core';
import { type TestComputer, testComputer } from './support/computer.js';
import { CRASH_STAGES } from './support/crash-stages.js';

/** Container tests need no server: the vendor key only has to exist. */
const vendorKey = generateKeyMaterial('ed25519');
const vendorBoxKey = generateKeyMaterial('x25519');
const config: SdkConfig = {
  serverUrl: 'http://127.0.0.1:9',
  product: 'offline-app',
  evaluationDays: 30,
  vendorKeys: [
    { kid: keyIdOf('ed25519', vendorKey.publicKey), kind: 'ed25519', publicKey: vendorKey.publicKey },
    { kid: keyIdOf('x25519', vendorBoxKey.publicKey), kind: 'x25519', publicKey: vendorBoxKey.publicKey },
  ],
};

async function containerPath(pc: TestComputer): Promise<string> {
  const [name] = (await readdir(pc.home)).filter((file) => file.endsWith('.kwlic'));
  assert.ok(name);
  return join(pc.home, name);
}

const day = 86_400_000;
const at = (days: number) => () => new Date(Date.UTC(2026, 0, 1) + days * day);

describe('the license container on disk', () => {
  for (const [stage, survivor] of CRASH_STAGES) {
    it(`a crash at "${stage}" leaves the ${survivor} contents, and the anchor agrees (no false tamper)`, async () => {
      const pc = await testComputer(`crash-${stage}`, config);
      assert.ok((await pc.client.status()).ok);
      const serial = generateSerial();
      const crashing = pc.restart({
        interrupt: (reached) => {
          if (reached === stage) throw new Error(`simulated crash at ${stage}`);
        },
      });
      await assert.rejects(crashing.offline.request(serial), /simulated crash/);
      const after = await pc.restart().status();
      assert.ok(after.ok);
      assert.equal(after.value.state, 'evaluation');
      assert.equal(after.value.serial, survivor === 'new' ? serial : null);
      const next = await pc.restart().offline.request(serial);
      assert.ok(next.ok && next.value.status.state === 'evaluation', 'and the container goes on working');
    });
  }

  it('a container file copied to another computer does not open there: WRONG_COMPUTER', async () => {
    const a = await testComputer('copy-a', config);
    const b = await testComputer('copy-b', config);
    assert.ok((await a.client.status()).ok);
    await mkdir(b.home, { recursive: true });
    await copyFile(await containerPath(a), join(b.home, (await readdir(a.home))[0] ?? ''));
    const status = await b.client.status();
    assert.equal(status.ok ? 'ok' : status.error.code, 'WRONG_COMPUTER');
    const changed = await a.restart({ fingerprint: 'new-motherboard' }).check();
    assert.equal(changed.ok ? 'ok' : changed.error.code, 'WRONG_COMPUTER');
  });

  it('deleting the container file does not restart the evaluation', async () => {
    const pc = await testComputer('delete', config, { now: at(0) });
    assert.ok((await pc.client.check()).ok);
    await rm(await containerPath(pc));
    const later = await pc.restart({ now: at(10) }).check();
    assert.ok(later.ok);
    assert.equal(later.value.status.evaluation.daysLeft, 20);
    await rm(await containerPath(pc));
    const over = await pc.restart({ now: at(31) }).check();
    assert.equal(over.ok ? 'ok' : over.error.code, 'EVALUATION_EXPIRED');
  });

  it('winding the clock back does not restart the evaluation', async () => {
    const pc = await testComputer('clock', config, { now: at(0) });
    assert.ok((await pc.client.check()).ok);
    const late = await pc.restart({ now: at(25) }).check();
    assert.ok(late.ok && late.value.status.evaluation.daysLeft === 5);
    const wound = await pc.restart({ now: at(1) }).check();
    assert.equal(wound.ok ? 'ok' : wound.error.code, 'CLOCK_ROLLBACK');
    const expired = await pc.restart({ now: at(31) }).check();
    assert.equal(expired.ok ? 'ok' : expired.error.code, 'EVALUATION_EXPIRED');
    await rm(await containerPath(pc));
    const woundAndDeleted = await pc.restart({ now: at(2) }).check();
    assert.ok(
      !woundAndDeleted.ok,
      'deleting the file and winding the clock back together gives no new evaluation either',
    );
  });

  it('an edited container file, or an edited anchor, is tamper and blocks the license', async () => {
    const edited = await testComputer('edit-file', config);
    assert.ok((await edited.client.status()).ok);
    const path = await containerPath(edited);
    const text = await readFile(path, 'utf8');
    const position = text.indexOf('\n\n') + 10;
    await writeFile(
      path,
      text.slice(0, position) + (text[position] === 'A' ? 'B' : 'A') + text.slice(position + 1),
    );
    const status = await edited.restart().status();
    assert.ok(status.ok);
    assert.equal(status.value.state, 'blocked');
    assert.equal(status.value.verdict.code, 'TAMPER_DETECTED');

    const anchor = await testComputer('edit-anchor', config);
    assert.ok((await anchor.client.status()).ok);
    const [anchorName] = await readdir(anchor.anchorDir);
    const anchorPath = join(anchor.anchorDir, anchorName ?? '');
    const stored = JSON.parse(await readFile(anchorPath, 'utf8')) as { body: string; mac: string };
    await writeFile(
      anchorPath,
      JSON.stringify({ ...stored, body: stored.body.replace('"blocked":false', '"blocked":true') }),
    );
    const check = await anchor.restart().check();
    assert.equal(check.ok ? 'ok' : check.error.code, 'TAMPER_DETECTED');
  });

  it('a deleted anchor is tamper', async () => {
    const pc = await testComputer('no-anchor', config);
    assert.ok((await pc.client.status()).ok);
    await rm(pc.anchorDir, { recursive: true });
    const check = await pc.restart().check();
    assert.equal(check.ok ? 'ok' : check.error.code, 'TAMPER_DETECTED');
  });
});
