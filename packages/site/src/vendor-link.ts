import {
  isErrorCode,
  newNonce,
  ok,
  type Result,
  refuse,
  type SiteReport,
  signRenewalRequest,
  signSiteReport,
  verifyRenewalAnswer,
} from '@keyward/core';
import type { SiteIdentity } from './site-identity.js';

/** A renewal the vendor holds for one of this site's keys: its key file, issued for this site. */
export interface FetchedRenewal {
  readonly serial: string;
  readonly file: string;
}

/** How long the site waits for the vendor: the task runs again on its next turn anyway. */
const VENDOR_TIMEOUT_MS = 15_000;

/**
 * The site server's calls to the vendor server, each signed with the site key the vendor
 * certified: asking for a renewal bought in advance, and reporting what the site holds.
 */
export class VendorLink {
  constructor(
    private readonly vendorUrl: string | undefined,
    private readonly identity: SiteIdentity,
    private readonly now: () => Date,
  ) {}

  /** Whether the site knows where the vendor is: without it, nothing is fetched or reported. */
  get configured(): boolean {
    return this.vendorUrl !== undefined;
  }

  /** The renewal waiting for `serial`, or null when none was bought. */
  async fetchRenewal(serial: string): Promise<Result<FetchedRenewal | null>> {
    const site = this.identity.current();
    if (!site.ok) return site;
    const asked = { siteId: site.value.certificate.siteId, serial, nonce: newNonce() };
    const request = signRenewalRequest({ ...asked, issuedAt: this.now().toISOString() }, site.value.signer);
    const answer = await this.post('/v1/site-api/renewals', { request });
    if (!answer.ok) return answer;
    const body = answer.value as { renewal?: { serial?: unknown; file?: unknown } | null; answer?: unknown };
    // Whether a renewal waits is the vendor's word, signed over this request's nonce.
    const signed = verifyRenewalAnswer(body.answer, site.value.vendorKeys, asked);
    if (!signed.ok) return signed;
    if (signed.value.renewal === null) return ok(null);
    const file = body.renewal?.file;
    if (typeof file !== 'string' || body.renewal?.serial !== signed.value.renewal)
      return refuse('ANSWER_MISMATCH', 'The renewal key file does not come with the vendor-signed answer.');
    return ok({ serial: signed.value.renewal, file });
  }

  /** Tells the vendor what this site holds and where it propagated it: the vendor's fleet view. */
  async report(report: Omit<SiteReport, 'siteId' | 'issuedAt'>): Promise<Result<void>> {
    const site = this.identity.current();
    if (!site.ok) return site;
    const signed = signSiteReport(
      { ...report, siteId: site.value.certificate.siteId, issuedAt: this.now().toISOString() },
      site.value.signer,
    );
    const answer = await this.post('/v1/site-api/reports', { report: signed });
    return answer.ok ? ok(undefined) : answer;
  }

  /** A refusal from the vendor comes back with its code; a vendor that cannot be reached is VENDOR_UNREACHABLE. */
  private async post(path: string, body: unknown): Promise<Result<unknown>> {
    if (this.vendorUrl === undefined) return refuse('VENDOR_URL_MISSING');
    let response: Response;
    try {
      response = await fetch(new URL(path, this.vendorUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(VENDOR_TIMEOUT_MS),
      });
    } catch (error) {
      return refuse(
        'VENDOR_UNREACHABLE',
        `The vendor server at ${this.vendorUrl} did not answer (${(error as Error).message}): the task runs again on its next turn.`,
      );
    }
    const text = await response.text();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return refuse(
        'VENDOR_UNREACHABLE',
        `The vendor server answered ${response.status} without a JSON body.`,
      );
    }
    if (response.ok) return ok(value);
    const problem = value as { code?: unknown; message?: unknown };
    const message = typeof problem.message === 'string' ? problem.message : undefined;
    if (response.status < 500 && isErrorCode(problem.code)) return refuse(problem.code, message);
    return refuse(
      'VENDOR_UNREACHABLE',
      `The vendor server failed (${response.status}${message === undefined ? '' : `: ${message}`}): the task runs again on its next turn.`,
    );
  }
}
