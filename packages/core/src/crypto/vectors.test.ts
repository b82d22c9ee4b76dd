import assert from 'node:assert/strict';
import { diffieHellman, hkdfSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { fromBase64Url } from './encoding.js';
import { generateKeyMaterial, keyIdOf, privateKeyFromSeed, publicKeyFromRaw, rawPublicKey } from './keys.js';
import { openSealedBytes, sealBytes } from './sealed-envelope.js';
import { openSignedDocument, signDocument } from './signed-envelope.js';

/** Pinned outputs: a change to the envelope formats must be deliberate, as it breaks deployed files. */
const SIGNED_VECTOR = {
  kid: 'sig-69e39c0e21c659c8',
  sig: 'b7KjBLjEBGc2qXxgVZBQEtgEypxEwGZ28nSa2Vi5H4xI4O5ECPXBMDdZWfhuZ5hgaAAo1XwinrU-IRjI4nBSDQ',
};
const SEALED_VECTOR = {
  kid: 'box-d5fd9a4107d5cc11',
  epk: 'Xf7dO2vUf2-ijuFdlp1bsOpTd01Ii9r53xxuASSz7yI',
  ct: 'dlc1FPqCNodbosoMacsa',
  tag: 'Phs7YDMfr3SQk7KRkO_u1w',
};

const hex = (text: string) => Buffer.from(text, 'hex');

describe('primitives against published test vectors', () => {
  it('Ed25519 (RFC 8032, test 1)', () => {
    const key = privateKeyFromSeed(
      'ed25519',
      hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
    );
    assert.equal(
      rawPublicKey(key).toString('hex'),
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
    assert.equal(
      sign(null, Buffer.alloc(0), key).toString('hex'),
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });

  it('X25519 (RFC 7748, section 6.1)', () => {
    const alice = privateKeyFromSeed(
      'x25519',
      hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
    );
    const bob = privateKeyFromSeed(
      'x25519',
      hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'),
    );
    assert.equal(
      rawPublicKey(alice).toString('hex'),
      '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    );
    const bobPublic = publicKeyFromRaw('x25519', rawPublicKey(bob).toString('base64url'));
    assert.ok(bobPublic);
    assert.equal(
      diffieHellman({ privateKey: alice, publicKey: bobPublic }).toString('hex'),
      '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
    );
  });

  it('HKDF-SHA256 (RFC 5869, test 1)', () => {
    const okm = hkdfSync(
      'sha256',
      Buffer.alloc(22, 0x0b),
      hex('000102030405060708090a0b0c'),
      hex('f0f1f2f3f4f5f6f7f8f9'),
      42,
    );
    assert.equal(
      Buffer.from(okm).toString('hex'),
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });
});

const vendorSigning = generateKeyMaterial('ed25519', Buffer.alloc(32, 1));
const vendorBox = generateKeyMaterial('x25519', Buffer.alloc(32, 2));
const signer = {
  kid: keyIdOf('ed25519', vendorSigning.publicKey),
  privateKey: privateKeyFromSeed('ed25519', Buffer.alloc(32, 1)),
};
const recipient = { kid: keyIdOf('x25519', vendorBox.publicKey), publicKey: vendorBox.publicKey };
const unsealKey = {
  privateKey: privateKeyFromSeed('x25519', Buffer.alloc(32, 2)),
  publicKey: vendorBox.publicKey,
};
const fixedRandomness = { ephemeralSeed: Buffer.alloc(32, 3), iv: Buffer.alloc(12, 4) };

describe('Keyward envelopes, fixed vectors', () => {
  it('signs a document deterministically', () => {
    const envelope = signDocument('license-grant', { serial: 'X' }, signer);
    assert.deepEqual(envelope, {
      v: 1,
      alg: 'Ed25519',
      kid: SIGNED_VECTOR.kid,
      typ: 'license-grant',
      payload: 'eyJzZXJpYWwiOiJYIn0',
      sig: SIGNED_VECTOR.sig,
    });
  });

  it('seals deterministically given the same randomness', () => {
    const sealed = sealBytes(Buffer.from('hello container'), recipient, fixedRandomness);
    assert.deepEqual({ kid: sealed.kid, epk: sealed.epk, ct: sealed.ct, tag: sealed.tag }, SEALED_VECTOR);
  });
});

describe('Keyward envelopes, round trips and refusals', () => {
  const publicKey = publicKeyFromRaw('ed25519', vendorSigning.publicKey);
  const keyFor = (kid: string) => (kid === signer.kid ? publicKey : undefined);

  it('verifies what it signed', () => {
    const envelope = signDocument('license-grant', { serial: 'X' }, signer);
    assert.deepEqual(openSignedDocument(envelope, 'license-grant', keyFor), {
      ok: true,
      value: { serial: 'X' },
    });
  });

  const tampered: ReadonlyArray<[string, (e: Record<string, unknown>) => Record<string, unknown>, string]> = [
    ['changed payload', (e) => ({ ...e, payload: 'eyJzZXJpYWwiOiJZIn0' }), 'SIGNATURE_INVALID'],
    ['changed signature', (e) => ({ ...e, sig: `${String(e.sig).slice(0, -2)}AA` }), 'SIGNATURE_INVALID'],
    ['other document type', (e) => ({ ...e, typ: 'license-request' }), 'WRONG_FILE_KIND'],
    ['unknown key id', (e) => ({ ...e, kid: 'sig-0000000000000000' }), 'UNKNOWN_KEY_ID'],
    ['other algorithm', (e) => ({ ...e, alg: 'none' }), 'SIGNATURE_INVALID'],
    ['not an envelope', () => ({ hello: 1 }), 'VALIDATION_FAILED'],
  ];
  for (const [what, change, code] of tampered) {
    it(`refuses a ${what} with ${code}`, () => {
      const envelope = { ...signDocument('license-grant', { serial: 'X' }, signer) };
      const result = openSignedDocument(change(envelope), 'license-grant', keyFor);
      assert.equal(result.ok ? 'ok' : result.error.code, code);
    });
  }

  it('refuses a document signed by another key that claims the vendor key id', () => {
    const forger = { kid: signer.kid, privateKey: privateKeyFromSeed('ed25519', Buffer.alloc(32, 9)) };
    const result = openSignedDocument(
      signDocument('license-grant', { serial: 'X' }, forger),
      'license-grant',
      keyFor,
    );
    assert.equal(result.ok ? 'ok' : result.error.code, 'SIGNATURE_INVALID');
  });

  it('opens what it sealed, and only with the right key', () => {
    const sealed = sealBytes(Buffer.from('secret'), recipient);
    const opened = openSealedBytes(sealed, (kid) => (kid === recipient.kid ? unsealKey : undefined));
    assert.equal(opened.ok && opened.value.toString(), 'secret');
    const other = generateKeyMaterial('x25519');
    const otherKey = {
      privateKey: privateKeyFromSeed('x25519', fromBase64Url(other.seed) ?? Buffer.alloc(0)),
      publicKey: other.publicKey,
    };
    const wrong = openSealedBytes(sealed, () => otherKey);
    assert.equal(wrong.ok ? 'ok' : wrong.error.code, 'DECRYPTION_FAILED');
    const unknown = openSealedBytes(sealed, () => undefined);
    assert.equal(unknown.ok ? 'ok' : unknown.error.code, 'WRONG_KEY');
  });

  it('refuses a sealed document with any field altered', () => {
    const sealed = sealBytes(Buffer.from('secret'), recipient);
    for (const field of ['epk', 'iv', 'ct', 'tag'] as const) {
      const value = sealed[field];
      const flipped = value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A');
      const result = openSealedBytes({ ...sealed, [field]: flipped }, () => unsealKey);
      assert.equal(result.ok, false, `${field} altered was accepted`);
    }
  });
});
