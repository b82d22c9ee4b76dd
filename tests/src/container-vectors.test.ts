import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type KeyStatus, LicenseClient, parseSdkConfig } from '@keyward/client';

/** The container format 2 test vectors (docs/container-format.md), made by scripts/make-container-vectors.mjs. */
const vectors = fileURLToPath(new URL('../../packages/client/vectors/container-v2/', import.meta.url));

interface Expected {
  readonly fingerprint: string;
  readonly now: string;
  readonly status: KeyStatus;
}

const offline: typeof fetch = async () => {
  throw new Error('the vectors are read offline');
};

/** A client over a copy of a vector's three directories, so reading it cannot change the vector. */
async function clientFor(dir: string, expected: Expected): Promise<LicenseClient> {
  const root = await mkdtemp(join(tmpdir(), 'keyward-vector-'));
  for (const part of ['home', 'anchors', 'marker'])
    await cp(join(dir, part), join(root, part), { recursive: true });
  const config = parseSdkConfig(JSON.parse(await readFile(join(vectors, 'sdk-config.json'), 'utf8')));
  assert.ok(config.ok);
  return new LicenseClient({
    config: config.value,
    home: join(root, 'home'),
    anchorDir: join(root, 'anchors'),
    markerDir: join(root, 'marker'),
    fingerprint: expected.fingerprint,
    now: () => new Date(expected.now),
    fetch: offline,
    attempts: 1,
  });
}

for (const [name, dir] of [
  ['activated online', vectors],
  ['activated by phone (Unlock Key code)', join(vectors, 'phone')],
] as const) {
  describe(`container format 2: the test vector ${name}`, async () => {
    const expected = JSON.parse(await readFile(join(dir, 'expected-status.json'), 'utf8')) as Expected;

    it('reads as the expected status, offline, with the vendor key of the SDK configuration', async () => {
      const client = await clientFor(dir, expected);
      const status = await client.status();
      assert.ok(status.ok, status.ok ? '' : status.error.message);
      assert.deepEqual(status.value, expected.status);
      const check = await client.check();
      assert.ok(check.ok && check.value.mode === 'licensed' && !check.value.online);
      const seats = await client.contents.seats('cad', 'nodes');
      assert.ok(seats.ok && seats.value === 10);
    });

    it('on another computer it does not open: WRONG_COMPUTER', async () => {
      const client = await clientFor(dir, { ...expected, fingerprint: 'another-computer' });
      const status = await client.status();
      assert.equal(status.ok ? 'ok' : status.error.code, 'WRONG_COMPUTER');
    });

    for (const rewrite of await readdir(join(dir, 'rewritten'))) {
      it(`the rewrite "${rewrite}" (container re-signed, anchor re-sealed) is refused at the next start: TAMPER_DETECTED`, async () => {
        const client = await clientFor(join(dir, 'rewritten', rewrite), expected);
        const check = await client.check();
        assert.equal(check.ok ? 'ok' : check.error.code, 'TAMPER_DETECTED');
        const status = await client.status();
        assert.ok(
          status.ok &&
            status.value.state === 'blocked' &&
            status.value.contents.counters.exports === undefined,
        );
      });
    }
  });
}
