import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LicenseClient, SdkConfig } from '@keyward/client';
import {
  applyOperations,
  type ContainerContents,
  contentsHash,
  DOCUMENT_TYPES,
  encodeActivationCode,
  generateKeyMaterial,
  type HeldUpdate,
  hashPassword,
  isUnlockKeyGrant,
  keyIdOf,
  type LicenseGrant,
  ok,
  privateKeyFromMaterial,
  type ReceivedError,
  type Result,
  type SignedEnvelope,
  type Signer,
  signDocument,
  UPDATE_DOCUMENT_TYPES,
  type UpdateOperation,
  type UpdatePackage,
} from '@keyward/core';
import type { ContainerRecord } from '../../packages/client/dist/container-record.js';
import { LicenseSession, type VerifiedContainer } from '../../packages/client/dist/license-session.js';
import { type TestComputer, testComputer } from './support/computer.js';
import { queueUpdate } from './support/updates.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

/**
 * The attacker with the SDK's source: the container file and its anchor are keyed from the
 * computer's fingerprint, so the attacker re-signs and re-seals them exactly as the SDK does
 * (`session.store.mutate`). Every term the application acts on must still come only from the
 * vendor's signed documents: each rewrite below is refused at the next start, offline.
 */

const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);

const offline: typeof fetch = async () => {
  throw new TypeError('fetch failed: this computer is offline');
};

/** What the vendor grants, and what the attacker wants instead. */
const GENUINE = {
  servers: 1,
  nodes: 7,
  exportsAllowed: 10,
  exportsConsumed: 3,
  password: 'genuine secret',
  memory: 'GENUINE-KEY-123',
} as const;
const FORGED = {
  seats: 1_000_000,
  exportsAllowed: 1_000_000,
  password: 'attacker secret',
  memory: 'FORGED-KEY-999',
} as const;

const POLICY = {
  items: { cad: { servers: GENUINE.servers, nodes: 5 } },
  counters: { exports: GENUINE.exportsAllowed },
  durationDays: 30,
  verification: 'ongoing',
  checkIntervalDays: 7,
  graceDays: 3,
  maxTransfers: 2,
} as const;

/** The update the vendor sends after the grant: the container then holds `updates` too. */
const UPDATE: UpdateOperation[] = [
  { op: 'set-password', name: 'admin', hash: hashPassword(GENUINE.password) },
  { op: 'write-memory', name: 'license_key', data: Buffer.from(GENUINE.memory).toString('base64') },
  { op: 'add-seats', item: 'cad', kind: 'nodes', count: GENUINE.nodes - 5 },
];

const decode = <T>(envelope: SignedEnvelope): T =>
  JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8')) as T;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** The grant with one term edited; the vendor's signature kept as it was. */
const editedGrant = (
  envelope: SignedEnvelope,
  edit: (grant: LicenseGrant) => LicenseGrant,
): SignedEnvelope => ({
  ...envelope,
  payload: encode(edit(decode<LicenseGrant>(envelope))),
});

function attackerSigner(kid?: string): Signer {
  const key = generateKeyMaterial('ed25519');
  return { kid: kid ?? keyIdOf('ed25519', key.publicKey), privateKey: privateKeyFromMaterial(key) };
}

const vendorKid = (config: SdkConfig) => {
  const key = config.vendorKeys.find((candidate) => candidate.kind === 'ed25519');
  assert.ok(key);
  return key.kid;
};

const randomKey = () => generateKeyMaterial('ed25519').publicKey;

/** One activated computer: its own serial, the vendor's grant with a consumed baseline, one applied update. */
interface Victim {
  readonly pc: TestComputer;
  readonly serial: string;
  readonly fingerprint: string;
  readonly config: SdkConfig;
}

/** What the attacker may reach: everything a `LicenseSession` holds, built from the SDK's own files. */
function attackerSession(victim: Victim): LicenseSession {
  return new LicenseSession({
    config: victim.config,
    home: victim.pc.home,
    anchorDir: victim.pc.anchorDir,
    markerDir: victim.pc.markerDir,
    fingerprint: victim.fingerprint,
  });
}

/** Rewrites the container as the SDK would: re-signed by its own key, its anchor re-sealed. */
async function rewrite(victim: Victim, edit: (record: ContainerRecord) => ContainerRecord): Promise<void> {
  const written = await attackerSession(victim).store.mutate((current) =>
    ok({ next: edit(current.record), value: undefined }),
  );
  assert.ok(written.ok, `the attacker's rewrite is saved: ${codeOf(written)}`);
}

const grantOf = (record: ContainerRecord): SignedEnvelope => {
  assert.ok(record.grant && !isUnlockKeyGrant(record.grant), 'the container holds the vendor grant');
  return record.grant;
};

const heldPackage = (record: ContainerRecord): SignedEnvelope => {
  const [update] = record.updates;
  assert.ok(update?.kind === 'package', 'the container holds the vendor update package');
  return update.envelope;
};

/** A second computer, activated on another serial, with its genuine grant. */
type OtherComputer = Victim & { readonly grant: SignedEnvelope };

interface AttackContext {
  readonly victim: Victim;
  readonly other: OtherComputer | undefined;
  /** The victim's verified terms before the rewrite. */
  readonly verified: VerifiedContainer;
}

const otherOf = (context: AttackContext): OtherComputer => {
  assert.ok(context.other, 'this case needs a second computer');
  return context.other;
};

interface AttackCase {
  readonly name: string;
  /**
   * An edit of the grant alone. It is tried twice: with the held update kept (whose result hash
   * would catch some edits of the contents on its own) and with it dropped, as an attacker who
   * rolls back to the bare grant would, so that only the grant's signature stands in the way.
   */
  readonly grantOnly?: boolean;
  readonly rewrite: (context: AttackContext) => (record: ContainerRecord) => ContainerRecord;
  /** The refusal codes `check()` may give; TAMPER_DETECTED unless said otherwise. */
  readonly refusedWith?: readonly string[];
  /** Needs a second computer, activated on another serial. */
  readonly needsOther?: boolean;
}

const grantEdit =
  (edit: (grant: LicenseGrant, context: AttackContext) => LicenseGrant) =>
  (context: AttackContext) =>
  (record: ContainerRecord): ContainerRecord => ({
    ...record,
    grant: editedGrant(grantOf(record), (grant) => edit(grant, context)),
  });

/** A package the attacker signs: its result hash computed as the vendor would, so only the signature is wrong. */
function forgedPackage(
  base: UpdatePackage,
  contents: ContainerContents,
  operations: UpdateOperation[],
  signer: Signer,
  changes: Partial<UpdatePackage> = {},
): HeldUpdate {
  const result = applyOperations(contents, operations);
  assert.ok(result.ok, codeOf(result));
  const pkg = { ...base, ...changes, operations, resultHash: contentsHash(result.value) };
  return { kind: 'package', envelope: signDocument(UPDATE_DOCUMENT_TYPES.updatePackage, pkg, signer) };
}

const farFuture = '2099-12-31T00:00:00.000Z';

const CASES: readonly AttackCase[] = [
  {
    name: 'expiry removed (perpetual)',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, contents: { ...grant.contents, expiresAt: null } })),
  },
  {
    name: 'expiry extended by ten years',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({
      ...grant,
      contents: {
        ...grant.contents,
        expiresAt: new Date(
          Date.parse(grant.contents.expiresAt ?? farFuture) + 3650 * 86_400_000,
        ).toISOString(),
      },
    })),
  },
  {
    name: "verification mode 'off'",
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, contents: { ...grant.contents, verification: 'off' } })),
  },
  {
    name: 'seats raised to 1,000,000',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({
      ...grant,
      contents: {
        ...grant.contents,
        items: { cad: { servers: FORGED.seats, nodes: FORGED.seats } },
      },
    })),
  },
  {
    name: 'a counter allowance raised',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({
      ...grant,
      contents: { ...grant.contents, counters: { exports: FORGED.exportsAllowed } },
    })),
  },
  {
    name: 'check interval of a hundred years',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, checkIntervalDays: 36_500 })),
  },
  {
    name: 'next online check far in the future',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, nextCheckAt: farFuture })),
  },
  {
    name: 'next online check removed',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, nextCheckAt: null })),
  },
  {
    name: 'grace period of 3650 days',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, graceDays: 3650 })),
  },
  {
    name: 'grace period of 365 days (within the schema)',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, graceDays: 365 })),
  },
  {
    name: 'transfer limit removed',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, maxTransfers: null })),
  },
  {
    name: 'transfers used reset to 0',
    grantOnly: true,
    rewrite: grantEdit((grant) => {
      assert.equal(grant.transfersUsed, 1, 'the genuine grant counts one transfer');
      return { ...grant, transfersUsed: 0 };
    }),
  },
  {
    name: 'password hash replaced by the hash of a known password',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({
      ...grant,
      contents: { ...grant.contents, passwords: { admin: hashPassword(FORGED.password) } },
    })),
  },
  {
    name: 'memory object replaced',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({
      ...grant,
      contents: {
        ...grant.contents,
        memory: { license_key: Buffer.from(FORGED.memory).toString('base64') },
      },
    })),
  },
  {
    name: 'update step (sequence) changed',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, sequence: grant.sequence + 5 })),
  },
  {
    name: 'serial changed to another issued serial',
    grantOnly: true,
    rewrite: grantEdit((grant, context) => ({ ...grant, serial: otherOf(context).serial })),
    needsOther: true,
  },
  {
    name: 'product changed',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, product: `${grant.product}-pro` })),
  },
  {
    name: 'binding id changed',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, bindingId: 'bnd_forged' })),
  },
  {
    name: 'container key of the binding changed',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, containerKey: randomKey() })),
  },
  {
    name: 'container box key of the binding changed',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, containerBoxKey: generateKeyMaterial('x25519').publicKey })),
  },
  {
    name: 'fingerprint hash of the binding changed',
    grantOnly: true,
    rewrite: grantEdit((grant) => ({ ...grant, fingerprintHash: randomBytes(32).toString('hex') })),
  },
  {
    name: "the vendor's consumed baseline lowered",
    grantOnly: true,
    rewrite: grantEdit((grant) => {
      assert.deepEqual(grant.consumed, { exports: GENUINE.exportsConsumed }, 'the genuine baseline');
      return { ...grant, consumed: {} };
    }),
  },
  {
    name: "grant re-signed with the attacker's key under the vendor's kid",
    grantOnly: true,
    rewrite:
      ({ victim }) =>
      (record) => {
        const forged = decode<LicenseGrant>(grantOf(record));
        const grant = {
          ...forged,
          contents: {
            ...forged.contents,
            expiresAt: null,
            items: { cad: { servers: FORGED.seats, nodes: FORGED.seats } },
            counters: { exports: FORGED.exportsAllowed },
          },
        };
        return {
          ...record,
          grant: signDocument(DOCUMENT_TYPES.licenseGrant, grant, attackerSigner(vendorKid(victim.config))),
        };
      },
  },
  {
    // A kid the SDK does not ship reads as a rotated vendor key: the terms are dropped, never trusted.
    name: "grant signed with the attacker's own key under its own kid",
    grantOnly: true,
    rewrite: () => (record) => {
      const forged = decode<LicenseGrant>(grantOf(record));
      const grant = {
        ...forged,
        contents: { ...forged.contents, counters: { exports: FORGED.exportsAllowed } },
      };
      return { ...record, grant: signDocument(DOCUMENT_TYPES.licenseGrant, grant, attackerSigner()) };
    },
    refusedWith: ['LICENSE_FROZEN'],
  },
  {
    name: 'the genuine grant of another computer copied in',
    rewrite: (context) => (record) => {
      const other = otherOf(context);
      return { ...record, grant: other.grant, updates: [], serial: other.serial };
    },
    refusedWith: ['TAMPER_DETECTED', 'WRONG_COMPUTER'],
    needsOther: true,
  },
  {
    name: 'the genuine grant of another computer, with its container keys named too',
    rewrite: (context) => (record) => {
      const other = otherOf(context);
      const grant = decode<LicenseGrant>(other.grant);
      return {
        ...record,
        grant: other.grant,
        updates: [],
        serial: other.serial,
        containerKey: grant.containerKey,
        containerBoxKey: grant.containerBoxKey,
      };
    },
    refusedWith: ['WRONG_COMPUTER'],
    needsOther: true,
  },
  {
    name: "a held update's operations edited (its result hash recomputed)",
    rewrite: () => (record) => {
      const envelope = heldPackage(record);
      const pkg = decode<UpdatePackage>(envelope);
      const operations: UpdateOperation[] = [
        ...pkg.operations,
        { op: 'add-seats', item: 'cad', kind: 'nodes', count: FORGED.seats - GENUINE.nodes },
      ];
      const result = applyOperations(decode<LicenseGrant>(grantOf(record)).contents, operations);
      assert.ok(result.ok);
      const forged = { ...pkg, operations, resultHash: contentsHash(result.value) };
      return {
        ...record,
        updates: [{ kind: 'package', envelope: { ...envelope, payload: encode(forged) } }],
      };
    },
  },
  {
    name: "a held update re-signed with the attacker's key under the vendor's kid",
    rewrite:
      ({ victim }) =>
      (record) => {
        const pkg = decode<UpdatePackage>(heldPackage(record));
        const operations: UpdateOperation[] = [
          ...pkg.operations,
          { op: 'write-memory', name: 'license_key', data: Buffer.from(FORGED.memory).toString('base64') },
        ];
        const grant = decode<LicenseGrant>(grantOf(record));
        const signer = attackerSigner(vendorKid(victim.config));
        return { ...record, updates: [forgedPackage(pkg, grant.contents, operations, signer)] };
      },
  },
  {
    name: 'an update package signed by another key, appended',
    rewrite:
      ({ verified }) =>
      (record) => {
        const pkg = decode<UpdatePackage>(heldPackage(record));
        assert.ok(verified.terms);
        const operations: UpdateOperation[] = [
          { op: 'set-counter', name: 'exports', value: FORGED.exportsAllowed },
        ];
        const forged = forgedPackage(pkg, verified.terms.contents, operations, attackerSigner(), {
          packageId: `${pkg.packageId}x`,
          fromSequence: pkg.toSequence,
          toSequence: pkg.toSequence + 1,
        });
        return { ...record, updates: [...record.updates, forged] };
      },
  },
  {
    name: 'an activation code signed by another key, appended',
    rewrite:
      ({ victim, verified }) =>
      (record) => {
        assert.ok(verified.terms);
        const code = encodeActivationCode(
          verified.terms.sequence,
          [{ op: 'add-seats', item: 'cad', kind: 'servers', count: 60_000 }],
          verified.terms.contents,
          { serial: victim.serial, containerKey: record.containerKey },
          attackerSigner(vendorKid(victim.config)),
        );
        assert.ok(code.ok);
        return { ...record, updates: [...record.updates, { kind: 'code', code: code.value }] };
      },
  },
  {
    name: 'the held update applied twice',
    rewrite: () => (record) => ({ ...record, updates: [...record.updates, ...record.updates] }),
  },
];

describe('the attacker with the SDK source cannot forge a vendor term', () => {
  let vendor: TestVendor;
  let issued: Issued;
  let next = 0;

  before(async () => {
    vendor = await startTestVendor();
    issued = await vendor.issue(POLICY, 3 * CASES.length + 6);
  });
  after(() => vendor.close());

  /** A fresh computer and serial: activated, moved once, counters consumed, one update applied. */
  async function activatedVictim(label: string): Promise<Victim> {
    const index = next++;
    const serial = issued.licenses[index]?.serial;
    assert.ok(serial);
    const fingerprint = `fingerprint-${label}-${index}`;
    const pc = await testComputer(`terms-${index}`, issued.sdkConfig, { fingerprint });
    assert.equal(codeOf(await pc.client.activate(serial)), 'ok');
    const used = await pc.restart().contents.decrementCounter('exports', GENUINE.exportsConsumed);
    assert.equal(used.ok ? used.value : used.error.code, GENUINE.exportsAllowed - GENUINE.exportsConsumed);
    // A transfer (released and taken back) and a new grant that carries the consumption baseline.
    assert.equal(codeOf(await pc.restart().deactivate()), 'ok');
    const again = await pc.restart().activate(serial);
    assert.ok(again.ok, codeOf(again));
    assert.equal(again.value.status.license?.transfersUsed, 1);
    await queueUpdate(vendor, serial, UPDATE);
    const pulled = await pc.restart().updates.pull();
    assert.ok(pulled.ok && pulled.value.length === 1, codeOf(pulled));
    return { pc, serial, fingerprint, config: issued.sdkConfig };
  }

  /** What the licensed application sees with the genuine terms. */
  async function assertGenuine(client: LicenseClient) {
    const checked = await client.check();
    assert.ok(checked.ok, codeOf(checked));
    assert.equal(checked.value.mode, 'licensed');
    assert.equal(checked.value.status.sequence, 1);
    const seats = await client.contents.seats('cad', 'nodes');
    assert.equal(seats.ok && seats.value, GENUINE.nodes);
    const counter = await client.contents.counter('exports');
    assert.equal(counter.ok && counter.value, GENUINE.exportsAllowed - GENUINE.exportsConsumed);
    const password = await client.contents.verifyPassword('admin', GENUINE.password);
    assert.equal(password.ok && password.value, true);
    const memory = await client.contents.readMemory('license_key');
    assert.equal(memory.ok && memory.value.toString(), GENUINE.memory);
  }

  /** After a rewrite: refused at start, nothing licensed, no forged value anywhere. */
  async function assertRefused(victim: Victim, codes: readonly string[]) {
    const start = () => victim.pc.restart({ fetch: offline });
    const checked = await start().check();
    assert.ok(!checked.ok, `check() must be refused, got mode ${checked.ok ? checked.value.mode : ''}`);
    assert.ok(codes.includes(checked.error.code), `check() refused with ${checked.error.code}`);

    const status = await start().status();
    if (status.ok) {
      assert.notEqual(status.value.verdict.kind, 'licensed');
      assert.equal(
        status.value.verdict.kind === 'denied' || status.value.verdict.kind === 'check-online',
        true,
      );
      assert.equal(status.value.license, null, 'no vendor terms are shown');
      assert.deepEqual(status.value.contents.items, {});
      assert.deepEqual(status.value.contents.passwords, []);
      assert.deepEqual(status.value.contents.memory, []);
    } else {
      assert.ok(codes.includes(status.error.code), `status() refused with ${status.error.code}`);
    }

    const again = await start().check();
    assert.ok(!again.ok, 'and it stays refused at the next start');
    assert.ok(codes.includes(again.error.code), `the next check() refused with ${again.error.code}`);

    const app = start();
    for (const [item, kind] of [
      ['cad', 'nodes'],
      ['cad', 'servers'],
    ] as const) {
      const seats = await app.contents.seats(item, kind);
      assert.ok(!seats.ok || seats.value === 0, `seats ${item}.${kind}: ${seats.ok ? seats.value : ''}`);
    }
    const counter = await app.contents.counter('exports');
    assert.ok(!counter.ok, `the counter reads ${counter.ok ? counter.value : ''}`);
    const use = await app.contents.decrementCounter('exports');
    assert.ok(!use.ok, 'no use of the counter is allowed');
    for (const password of [FORGED.password, GENUINE.password]) {
      const verified = await app.contents.verifyPassword('admin', password);
      assert.ok(!verified.ok || verified.value === false, `the password "${password}" is accepted`);
    }
    const memory = await app.contents.readMemory('license_key');
    assert.ok(!memory.ok, `the memory object reads ${memory.ok ? memory.value.toString() : ''}`);
    const items = await app.contents.items();
    assert.ok(!items.ok || Object.keys(items.value).length === 0, 'no licensed items');
  }

  it('control: the rewrite machinery alone (re-signed, re-sealed, terms untouched) keeps the license', async () => {
    const victim = await activatedVictim('control');
    await assertGenuine(victim.pc.restart({ fetch: offline }));
    await rewrite(victim, (record) => ({ ...record, lastSeenAt: new Date().toISOString() }));
    await assertGenuine(victim.pc.restart({ fetch: offline }));
  });

  for (const attack of CASES) {
    it(`rewritten: ${attack.name} -> refused at the next start, offline`, async () => {
      for (const dropUpdates of attack.grantOnly ? [false, true] : [false]) {
        const victim = await activatedVictim('victim');
        const context: AttackContext = {
          victim,
          other: attack.needsOther ? await otherComputer() : undefined,
          verified: await verifiedTerms(victim),
        };
        const edit = attack.rewrite(context);
        await rewrite(victim, (record) => {
          const edited = edit(record);
          return dropUpdates ? { ...edited, updates: [] } : edited;
        });
        await assertRefused(victim, attack.refusedWith ?? ['TAMPER_DETECTED']);
      }
    });
  }

  it("lowering the local consumption record never goes below the vendor's signed baseline", async () => {
    const victim = await activatedVictim('consumed');
    const more = await victim.pc.restart().contents.decrementCounter('exports', 2);
    assert.equal(more.ok && more.value, GENUINE.exportsAllowed - GENUINE.exportsConsumed - 2);
    await rewrite(victim, (record) => ({ ...record, consumed: {} }));
    const counter = await victim.pc.restart({ fetch: offline }).contents.counter('exports');
    assert.ok(counter.ok, codeOf(counter));
    assert.ok(
      counter.value <= GENUINE.exportsAllowed - GENUINE.exportsConsumed,
      `uses left ${counter.value}: the vendor's baseline of ${GENUINE.exportsConsumed} uses still counts`,
    );
  });

  /** A second computer activated on another serial: its genuine grant, for copying. */
  async function otherComputer(): Promise<OtherComputer> {
    const index = next++;
    const serial = issued.licenses[index]?.serial;
    assert.ok(serial);
    const fingerprint = `fingerprint-other-${index}`;
    const pc = await testComputer(`other-${index}`, issued.sdkConfig, { fingerprint });
    assert.equal(codeOf(await pc.client.activate(serial)), 'ok');
    const other: Victim = { pc, serial, fingerprint, config: issued.sdkConfig };
    const loaded = await attackerSession(other).store.load();
    assert.ok(loaded.ok);
    return { ...other, grant: grantOf(loaded.value.record) };
  }

  async function verifiedTerms(victim: Victim): Promise<VerifiedContainer> {
    const opened = await attackerSession(victim).open();
    assert.ok(opened.ok && opened.value.terms !== null, 'the genuine terms verify');
    return opened.value;
  }
});
