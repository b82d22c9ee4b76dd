import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyMaterial, keyIdOf, privateKeyFromMaterial, publicKeyFromRaw } from './crypto/keys.js';
import {
  type SignedEnvelope,
  signatureHolds,
  signDocument,
  signDocumentBatch,
} from './crypto/signed-envelope.js';
import {
  consumptionGrows,
  counterRemaining,
  type HeldUpdate,
  heldAfter,
  heldSignatureChecks,
  mergeConsumption,
  type VendorKeys,
} from './terms.js';

describe('counters: the vendor signs allowances, the container records consumption', () => {
  const rows: ReadonlyArray<[number, number, number]> = [
    [100, 0, 100],
    [100, 37, 63],
    [100, 100, 0],
    [100, 130, 0],
    [0, 0, 0],
  ];
  for (const [allowance, consumed, remaining] of rows) {
    it(`allowance ${allowance}, consumed ${consumed}: ${remaining} left`, () =>
      assert.equal(counterRemaining(allowance, consumed), remaining));
  }

  it('consumption only grows: the larger record wins, counter by counter', () => {
    assert.deepEqual(mergeConsumption({ exports: 4, prints: 9 }, { exports: 7, runs: 1 }), {
      exports: 7,
      prints: 9,
      runs: 1,
    });
    assert.deepEqual(mergeConsumption({ exports: 7 }, { exports: 4 }), { exports: 7 });
  });

  it('a report raises the record only when some counter is above it', () => {
    assert.equal(consumptionGrows({ exports: 7 }, { exports: 7 }), false);
    assert.equal(consumptionGrows({ exports: 7 }, { exports: 4, runs: 0 }), false);
    assert.equal(consumptionGrows({ exports: 7 }, { exports: 8 }), true);
    assert.equal(consumptionGrows({}, { runs: 1 }), true);
  });
});

describe('what a container keeps of the updates it applied', () => {
  const envelope = (id: string) =>
    ({ v: 1, alg: 'Ed25519', kid: id, typ: 'update-package', payload: '', sig: '' }) as SignedEnvelope;
  const pkg = (id: string): HeldUpdate => ({ kind: 'package', envelope: envelope(id) });
  const code = (text: string): HeldUpdate => ({ kind: 'code', code: text });

  it('a package carries its resulting contents, so it replaces everything before it', () => {
    assert.deepEqual(heldAfter([pkg('a'), code('x')], pkg('b')), [pkg('b')]);
  });

  it('a code carries operations only, so it is kept after what came before', () => {
    assert.deepEqual(heldAfter([pkg('a')], code('x')), [pkg('a'), code('x')]);
  });
});

describe('verifying held documents again without reading them again', () => {
  const vendor = generateKeyMaterial('ed25519');
  const kid = keyIdOf('ed25519', vendor.publicKey);
  const vendorKey = publicKeyFromRaw('ed25519', vendor.publicKey);
  const keys: VendorKeys = {
    byKid: (candidate) => (candidate === kid ? vendorKey : undefined),
    all: vendorKey === undefined ? [] : [vendorKey],
  };
  const signer = { kid, privateKey: privateKeyFromMaterial(vendor) };
  const grant = signDocument('license-grant', { serial: 'S' }, signer);
  const update: HeldUpdate = { kind: 'package', envelope: signDocument('update-package', { n: 1 }, signer) };

  it('gives one check per signed document, each holding for the bytes as signed', () => {
    const checks = heldSignatureChecks({ grant, updates: [update] }, keys);
    assert.equal(checks?.length, 2);
    assert.ok(checks?.every(signatureHolds));
  });

  it('a batch-signed grant is checked through its batch proof, like the first time', () => {
    const [batched, other] = signDocumentBatch(
      [
        { typ: 'license-grant', document: { serial: 'S' } },
        { typ: 'license-grant', document: { serial: 'T' } },
      ],
      signer,
    );
    assert.ok(batched?.batch !== undefined && other !== undefined);
    const [check] = heldSignatureChecks({ grant: batched, updates: [] }, keys) ?? [];
    assert.ok(check !== undefined && signatureHolds(check));
    assert.equal(signatureHolds({ ...check, batch: other.batch }), false);
  });

  it('a check does not hold once the signed bytes differ', () => {
    const [check] = heldSignatureChecks({ grant, updates: [] }, keys) ?? [];
    assert.ok(check !== undefined);
    const input = Buffer.from(check.input);
    input[input.length - 2] = (input[input.length - 2] ?? 0) ^ 1;
    assert.equal(signatureHolds({ ...check, input }), false);
  });

  it('has no checks for codes or for a key the application does not ship', () => {
    const code: HeldUpdate = { kind: 'code', code: 'ABCD' };
    assert.equal(heldSignatureChecks({ grant, updates: [code] }, keys), undefined);
    assert.equal(
      heldSignatureChecks({ grant: { ...grant, kid: 'sig-unknown' }, updates: [] }, keys),
      undefined,
    );
  });
});
