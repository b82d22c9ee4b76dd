import {
  ok,
  parseSignedEnvelope,
  type Result,
  refuse,
  type SignedEnvelope,
  type Signer,
  type SiteCertificate,
  siteKeyId,
  type VendorKeys,
  type Verified,
  verifySiteCertificate,
} from '@keyward/core';
import type { SiteKey } from './site-key.js';
import type { IdentityStore } from './storage/identity-store.js';
import { isPublishedKey, type PublishedKey, verifyKeysOf } from './vendor-keys.js';

/** A site the vendor certified: what it signs leases with, and what it verifies key files with. */
export interface CertifiedSite {
  readonly certificate: Verified<SiteCertificate>;
  readonly certificateEnvelope: SignedEnvelope;
  readonly vendorKeys: VendorKeys;
  readonly signer: Signer;
}

/**
 * The site's identity: its own key always, the vendor's certificate once installed. The
 * certificate is verified when installed and again at every start, against the vendor keys that
 * came with it; stations verify it against the keys in their own SDK configuration.
 */
export class SiteIdentity {
  private certified: CertifiedSite | undefined;

  constructor(
    readonly key: SiteKey,
    private readonly store: IdentityStore,
  ) {}

  async load(): Promise<void> {
    const stored = await this.store.current();
    if (stored === undefined) return;
    const checked = this.check(stored.certificate, stored.vendorKeys);
    if (!checked.ok)
      throw new Error(`The installed site certificate does not verify: ${checked.error.message}`);
    this.certified = checked.value;
  }

  /** The certified site, or the refusal every operation that needs one gives. */
  current(): Result<CertifiedSite> {
    return this.certified === undefined ? refuse('SITE_NOT_REGISTERED') : ok(this.certified);
  }

  /** Installs the file `keyward admin site register` wrote: it must certify this site's own key. */
  async install(file: unknown, at: Date): Promise<Result<Verified<SiteCertificate>>> {
    const fields = file as { certificate?: unknown; vendorKeys?: unknown } | null;
    const envelope = parseSignedEnvelope(fields?.certificate);
    if (!envelope.ok) return envelope;
    const keys = Array.isArray(fields?.vendorKeys) ? fields.vendorKeys.filter(isPublishedKey) : [];
    const checked = this.check(envelope.value, keys);
    if (!checked.ok) return checked;
    await this.store.install(
      checked.value.certificate.siteId,
      { certificate: envelope.value, vendorKeys: keys },
      at.toISOString(),
    );
    this.certified = checked.value;
    return ok(checked.value.certificate);
  }

  private check(envelope: SignedEnvelope, published: readonly PublishedKey[]): Result<CertifiedSite> {
    const vendorKeys = verifyKeysOf(published);
    if (vendorKeys.all.length === 0)
      return refuse('VALIDATION_FAILED', 'The certificate file names no vendor signing key.');
    const certificate = verifySiteCertificate(envelope, vendorKeys);
    if (!certificate.ok) return certificate;
    if (certificate.value.siteKey !== this.key.publicKey)
      return refuse('WRONG_SITE', 'This certificate is for another site key than this server has.');
    return ok({
      certificate: certificate.value,
      certificateEnvelope: envelope,
      vendorKeys,
      signer: { kid: siteKeyId(certificate.value), privateKey: this.key.privateKey },
    });
  }
}
