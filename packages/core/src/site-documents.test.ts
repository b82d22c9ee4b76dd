import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyContents } from './contents.js';
import { generateKeyMaterial, keyIdOf, privateKeyFromMaterial, publicKeyFromRaw } from './crypto/keys.js';
import { newId } from './ids.js';
import { leaseDeadline } from './seat-rules.js';
import {
  decodeSiteLicenseFile,
  encodeSiteLicenseFile,
  type SeatLease,
  signSeatLease,
  signSiteCertificate,
  signSiteLicense,
  siteKeyId,
  verifySeatLease,
  verifySiteLicense,
} from './site-documents.js';
import type { VendorKeys } from './terms.js';

function signer() {
  const material = generateKeyMaterial('ed25519');
  return {
    material,
    signer: { kid: keyIdOf('ed25519', material.publicKey), privateKey: privateKeyFromMaterial(material) },
  };
}

const vendor = signer();
const vendorKey = publicKeyFromRaw('ed25519', vendor.material.publicKey);
const vendorKeys: VendorKeys = {
  byKid: (kid) => (kid === vendor.signer.kid ? vendorKey : undefined),
  all: vendorKey === undefined ? [] : [vendorKey],
};
const site = signer();
const now = new Date('2026-01-01T00:00:00.000Z');
const certificate = {
  siteId: newId('sit'),
  name: 'Plant 1',
  siteKey: site.material.publicKey,
  issuedAt: now.toISOString(),
};
const certificateEnvelope = signSiteCertificate(certificate, vendor.signer);
const lease: SeatLease = {
  leaseId: newId('lea'),
  siteId: certificate.siteId,
  serial: 'ABCDE-FGHJK',
  product: 'cad',
  item: 'cad',
  seat: 'nodes',
  stationId: 'pc-1',
  borrowed: false,
  expiresAt: now.toISOString(),
  issuedAt: now.toISOString(),
  nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
};

describe('site documents', () => {
  it('a lease verifies through the vendor-signed certificate of the site key that signed it', () => {
    const envelope = signSeatLease(lease, {
      kid: siteKeyId(certificate),
      privateKey: site.signer.privateKey,
    });
    const verified = verifySeatLease(envelope, certificateEnvelope, vendorKeys);
    assert.equal(verified.ok, true);
  });

  it('a lease signed by another site key is refused', () => {
    const other = signer();
    const envelope = signSeatLease(lease, {
      kid: siteKeyId(certificate),
      privateKey: other.signer.privateKey,
    });
    const verified = verifySeatLease(envelope, certificateEnvelope, vendorKeys);
    assert.equal(verified.ok ? 'accepted' : verified.error.code, 'SIGNATURE_INVALID');
  });

  it('a site license file survives export and refuses an edited copy', () => {
    const license = {
      siteId: certificate.siteId,
      serial: 'ABCDE-FGHJK',
      product: 'cad',
      sequence: 0,
      contents: { ...emptyContents(), items: { cad: { nodes: 10 } } },
      issuedAt: now.toISOString(),
    };
    const file = encodeSiteLicenseFile(signSiteLicense(license, vendor.signer), license);
    const decoded = decodeSiteLicenseFile(file);
    assert.ok(decoded.ok);
    assert.equal(verifySiteLicense(decoded.value, vendorKeys, certificate).ok, true);
    const widened = {
      ...decoded.value,
      payload: Buffer.from(
        JSON.stringify({ ...license, contents: { ...license.contents, items: { cad: { nodes: 1000 } } } }),
      ).toString('base64url'),
    };
    const forged = verifySiteLicense(widened, vendorKeys, certificate);
    assert.equal(forged.ok ? 'accepted' : forged.error.code, 'SIGNATURE_INVALID');
    const damaged = decodeSiteLicenseFile(file.replace(/\n([A-Za-z0-9+/])/, '\nX$1'));
    assert.equal(damaged.ok ? 'accepted' : damaged.error.code, 'FILE_CORRUPTED');
  });

  it('a borrowed lease is bounded by the site setting and by the license expiry', () => {
    const settings = { heartbeatSeconds: 60, missedHeartbeats: 3, maxBorrowDays: 7 };
    const tooLong = leaseDeadline(now, settings, 8, null);
    assert.equal(tooLong.ok ? 'accepted' : tooLong.error.code, 'BORROW_TOO_LONG');
    const capped = leaseDeadline(now, settings, 7, '2026-01-03T00:00:00.000Z');
    assert.deepEqual(capped.ok && capped.value.toISOString(), '2026-01-03T00:00:00.000Z');
    const online = leaseDeadline(now, settings, undefined, null);
    assert.deepEqual(online.ok && online.value.getTime() - now.getTime(), 180_000);
  });
});
