import {
  err,
  newNonce,
  ok,
  type ReceivedError,
  type Result,
  refuse,
  type SeatLease,
  type SignedEnvelope,
  type SiteCertificate,
  type Verified,
  verifySeatLease,
} from '@keyward/core';
import { type SdkConfig, vendorVerifyKeys } from './sdk-config.js';
import { VendorApi } from './vendor-api.js';

export interface SiteLeaseClientOptions {
  /** The customer's site server, e.g. http://licenses.plant.example:8090. */
  readonly siteUrl: string;
  /** The application's SDK configuration: its product and the vendor keys that certify the site. */
  readonly config: SdkConfig;
  /** How this station names itself to the site (host name, or a fingerprint hash). */
  readonly stationId: string;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
}

/** A seat this station holds: the lease as the site signed it, with the vendor's certificate of the site. */
export interface HeldLease {
  readonly lease: Verified<SeatLease>;
  readonly site: Verified<SiteCertificate>;
  /** Kept as received, so a borrowed lease can be verified again offline. */
  readonly signed: { readonly lease: SignedEnvelope; readonly certificate: SignedEnvelope };
}

/**
 * A station's side of seat leasing: take a seat of an item from the site server, keep it with
 * heartbeats, or borrow it for days offline. Every lease is verified before it is used: signed by
 * a site key the vendor certified, for this station, this product, and the nonce it asked with.
 */
export class SiteLeaseClient {
  private readonly api: VendorApi;
  private readonly now: () => Date;

  constructor(private readonly options: SiteLeaseClientOptions) {
    this.api = new VendorApi({ serverUrl: options.siteUrl.replace(/\/+$/, ''), fetch: options.fetch });
    this.now = options.now ?? (() => new Date());
  }

  /** Leases a seat of `item`/`seat`; with `borrowDays`, for that many days without heartbeats. */
  async lease(
    item: string,
    seat: string,
    borrow: { readonly borrowDays?: number } = {},
  ): Promise<Result<HeldLease, ReceivedError>> {
    const nonce = newNonce();
    return this.signedAnswer(
      '/v1/stations/leases',
      {
        stationId: this.options.stationId,
        product: this.options.config.product,
        item,
        seat,
        ...(borrow.borrowDays === undefined ? {} : { borrowDays: borrow.borrowDays }),
        nonce,
      },
      nonce,
    );
  }

  /** Keeps a lease: due every heartbeat interval of the site (60 s by default). */
  async heartbeat(held: HeldLease): Promise<Result<HeldLease, ReceivedError>> {
    const nonce = newNonce();
    return this.signedAnswer(`/v1/stations/leases/${held.lease.leaseId}/heartbeat`, { nonce }, nonce);
  }

  /** Gives the seat back, e.g. a borrowed one when the station is back on the network. */
  async release(held: HeldLease): Promise<Result<{ readonly leaseId: string }, ReceivedError>> {
    const answer = await this.api.post(`/v1/stations/leases/${held.lease.leaseId}/release`, {});
    if (answer.kind !== 'answer') return err(answer.error);
    return ok({ leaseId: held.lease.leaseId });
  }

  /**
   * Whether a lease held on disk still holds now, offline: its signatures verify and it has not
   * run out. This is how a station uses a borrowed seat away from the site.
   */
  check(signed: HeldLease['signed']): Result<HeldLease> {
    const held = this.verify(signed);
    if (!held.ok) return held;
    if (Date.parse(held.value.lease.expiresAt) <= this.now().getTime()) return refuse('LEASE_EXPIRED');
    return held;
  }

  private async signedAnswer(
    path: string,
    body: unknown,
    nonce: string,
  ): Promise<Result<HeldLease, ReceivedError>> {
    const answer = await this.api.post(path, body);
    if (answer.kind !== 'answer') return err(answer.error);
    const signed = answer.body as { lease?: SignedEnvelope; certificate?: SignedEnvelope };
    if (signed.lease === undefined || signed.certificate === undefined) return refuse('ANSWER_UNSIGNED');
    const held = this.verify({ lease: signed.lease, certificate: signed.certificate });
    if (!held.ok) return held;
    if (held.value.lease.nonce !== nonce) return refuse('ANSWER_MISMATCH');
    return held;
  }

  private verify(signed: HeldLease['signed']): Result<HeldLease> {
    const verified = verifySeatLease(signed.lease, signed.certificate, vendorVerifyKeys(this.options.config));
    if (!verified.ok) return verified;
    const { lease, certificate } = verified.value;
    if (lease.stationId !== this.options.stationId || lease.product !== this.options.config.product)
      return refuse('ANSWER_MISMATCH', 'The lease is for another station or product.');
    return ok({ lease, site: certificate, signed });
  }
}
