import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyContents } from './contents.js';
import { generateKeyMaterial, keyIdOf, privateKeyFromMaterial, publicKeyFromRaw } from './crypto/keys.js';
import { newId } from './ids.js';
import { leaseDeadline } from './seat-rules.js';
import {
  decodeSiteLicenseFile,
  encodeSiteLicenseFile,
  type SeatDonation,
  type SeatLease,
  signDonationReceipt,
  signRenewalRequest,
  signSeatDonation,
  signSeatLease,
  signSiteCertificate,
  signSiteLicense,
  siteKeyId,
  verifyDonation,
  verifyDonationReceipt,
  verifyRenewalRequest,
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

describe('seat donations between site servers', () => {
  const siteSigner = { kid: siteKeyId(certificate), privateKey: privateKeyFromMaterial(site.material) };
  const license = {
    siteId: certificate.siteId,
    serial: 'ABCDE-FGHJK',
    product: 'cad',
    sequence: 1,
    contents: { ...emptyContents(), items: { cad: { nodes: 10 } } },
    issuedAt: now.toISOString(),
  };
  const receiver = newId('sit');
  const donation: SeatDonation = {
    donationId: newId('don'),
    fromSiteId: certificate.siteId,
    toSiteId: receiver,
    serial: license.serial,
    product: 'cad',
    items: { cad: { nodes: 4 } },
    replaces: null,
    issuedAt: now.toISOString(),
  };
  const bundle = (donated = donation, by = siteSigner) => ({
    donation: signSeatDonation(donated, by),
    license: signSiteLicense(license, vendor.signer),
    certificate: certificateEnvelope,
  });

  it('the receiver lends the donated seats under the vendor-signed terms, no more', () => {
    const received = verifyDonation(bundle(), vendorKeys, receiver);
    assert.ok(received.ok);
    assert.deepEqual(received.value.terms.contents.items, { cad: { nodes: 4 } });
    assert.equal(received.value.terms.siteId, receiver);
    assert.equal(received.value.terms.contents.expiresAt, license.contents.expiresAt);
  });

  const refusals: Array<[string, () => unknown, string, string]> = [
    [
      'of more seats than the license',
      () => bundle({ ...donation, items: { cad: { nodes: 11 } } }),
      receiver,
      'DONATION_EXCEEDS_LICENSE',
    ],
    [
      'of an item the license lacks',
      () => bundle({ ...donation, items: { cam: { nodes: 1 } } }),
      receiver,
      'DONATION_EXCEEDS_LICENSE',
    ],
    ['made for another receiver', () => bundle(), newId('sit'), 'WRONG_SITE'],
    [
      'signed by another key',
      () =>
        bundle(donation, {
          kid: siteKeyId(certificate),
          privateKey: privateKeyFromMaterial(signer().material),
        }),
      receiver,
      'SIGNATURE_INVALID',
    ],
    [
      'for another license',
      () => bundle({ ...donation, serial: 'OTHER-SERIAL' }),
      receiver,
      'SIGNATURE_INVALID',
    ],
  ];
  for (const [name, make, to, code] of refusals)
    it(`a donation ${name} is refused: ${code}`, () => {
      const received = verifyDonation(make() as ReturnType<typeof bundle>, vendorKeys, to);
      assert.equal(received.ok ? 'accepted' : received.error.code, code);
    });

  it('an edited donation payload breaks the donor signature', () => {
    const signed = bundle();
    const payload = JSON.parse(Buffer.from(signed.donation.payload, 'base64url').toString('utf8'));
    payload.items = { cad: { nodes: 10 } };
    const edited = {
      ...signed,
      donation: { ...signed.donation, payload: Buffer.from(JSON.stringify(payload)).toString('base64url') },
    };
    const received = verifyDonation(edited, vendorKeys, receiver);
    assert.equal(received.ok ? 'accepted' : received.error.code, 'SIGNATURE_INVALID');
  });

  it("the donor acts only on the child's own receipt of this donation", () => {
    const child = signer();
    const childCertificate = {
      siteId: receiver,
      name: 'Plant 2',
      siteKey: child.material.publicKey,
      issuedAt: now.toISOString(),
    };
    const childSigner = {
      kid: siteKeyId(childCertificate),
      privateKey: privateKeyFromMaterial(child.material),
    };
    const receipt = {
      donationId: donation.donationId,
      fromSiteId: certificate.siteId,
      toSiteId: receiver,
      serial: license.serial,
      replaced: 'OLD-SERIAL',
      protocol: 2,
      issuedAt: now.toISOString(),
    };
    const sent = { donationId: donation.donationId, fromSiteId: certificate.siteId, toSiteId: receiver };
    const certified = signSiteCertificate(childCertificate, vendor.signer);
    const accepted = verifyDonationReceipt(
      signDonationReceipt(receipt, childSigner),
      certified,
      vendorKeys,
      sent,
    );
    assert.equal(accepted.ok && accepted.value.replaced, 'OLD-SERIAL');
    const refusals: Array<[string, unknown, unknown, string]> = [
      [
        'signed by another key',
        signDonationReceipt(receipt, {
          ...childSigner,
          privateKey: privateKeyFromMaterial(signer().material),
        }),
        certified,
        'SIGNATURE_INVALID',
      ],
      [
        'of another donation',
        signDonationReceipt({ ...receipt, donationId: newId('don') }, childSigner),
        certified,
        'ANSWER_MISMATCH',
      ],
      ['from another site', signDonationReceipt(receipt, childSigner), certificateEnvelope, 'WRONG_SITE'],
    ];
    for (const [name, envelope, cert, code] of refusals) {
      const refused = verifyDonationReceipt(envelope, cert, vendorKeys, sent);
      assert.equal(refused.ok ? 'accepted' : refused.error.code, code, name);
    }
  });

  it('a renewal request verifies only with the key registered for the site it names', () => {
    const request = {
      siteId: certificate.siteId,
      serial: license.serial,
      issuedAt: now.toISOString(),
      nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
    };
    const registered = { siteId: certificate.siteId, siteKey: site.material.publicKey };
    assert.ok(verifyRenewalRequest(signRenewalRequest(request, siteSigner), registered).ok);
    const other = verifyRenewalRequest(signRenewalRequest(request, siteSigner), {
      siteId: certificate.siteId,
      siteKey: signer().material.publicKey,
    });
    assert.equal(other.ok ? 'accepted' : other.error.code, 'SIGNATURE_INVALID');
    const forOther = verifyRenewalRequest(
      signRenewalRequest({ ...request, siteId: newId('sit') }, siteSigner),
      registered,
    );
    assert.equal(forOther.ok ? 'accepted' : forOther.error.code, 'WRONG_SITE');
  });
});
