import {
  type DonationBundle,
  type ErrorCode,
  errorCatalogue,
  ok,
  type Result,
  refuse,
  type SignedEnvelope,
} from '@keyward/core';

/** What `GET /v1/neighbours/hello` answers: who the site is, the protocol it speaks, the vendor's word for it. */
export interface NeighbourHello {
  readonly siteId: string;
  readonly protocol: number;
  readonly certificate: unknown;
}

/**
 * A child's answer to a donation: the key it replaced with it, if any, and the protocol it speaks,
 * with its signed receipt saying the same and the vendor's certificate of its key.
 */
export interface DonationAck {
  readonly serial: string;
  readonly replaced: string | null;
  readonly protocol: number;
  readonly receipt: SignedEnvelope;
  readonly certificate: SignedEnvelope;
}

/** A neighbour that does not answer within this long is unreachable this time. */
const TIMEOUT_MS = 5000;

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(errorCatalogue, code);
}

/**
 * Calls a neighbour site server's site-to-site API. A network failure or a server error is
 * NEIGHBOUR_UNREACHABLE (offered again later); a refusal comes back with the neighbour's code.
 */
export class NeighbourClient {
  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  hello(url: string): Promise<Result<NeighbourHello>> {
    return this.call<NeighbourHello>(url, 'GET', '/v1/neighbours/hello');
  }

  deliver(url: string, bundle: DonationBundle): Promise<Result<DonationAck>> {
    return this.call<DonationAck>(url, 'POST', '/v1/neighbours/donations', bundle);
  }

  withdraw(url: string, serial: string, bundle: DonationBundle): Promise<Result<{ serial: string }>> {
    return this.call(url, 'DELETE', `/v1/neighbours/donations/${encodeURIComponent(serial)}`, bundle);
  }

  private async call<T>(
    url: string,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<Result<T>> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${url.replace(/\/+$/, '')}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      return refuse(
        'NEIGHBOUR_UNREACHABLE',
        `The neighbour site server at ${url} did not answer (${(error as Error).message}).`,
      );
    }
    const answer = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (response.ok && answer !== undefined) return ok(answer as T);
    if (response.status < 500 && isErrorCode(answer?.code))
      return refuse(answer.code, typeof answer.message === 'string' ? answer.message : undefined);
    return refuse(
      'NEIGHBOUR_UNREACHABLE',
      `The neighbour site server at ${url} answered ${response.status}.`,
    );
  }
}
