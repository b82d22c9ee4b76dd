import { isErrorCode, type KeywardError, keywardError } from '@keyward/core/license-container';

export interface VendorApiOptions {
  readonly serverUrl: string;
  /** Attempts for network failures, 5xx and 429 answers; other 4xx answers are final. */
  readonly attempts?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/**
 * What the license server said. A refusal carries the vendor's signed refusal when the server
 * could sign one (it needs the request's nonce); the SDK acts only on those.
 */
export type ApiAnswer =
  | { readonly kind: 'answer'; readonly body: unknown }
  | { readonly kind: 'refused'; readonly error: KeywardError; readonly signedRefusal: unknown }
  | { readonly kind: 'unreachable'; readonly error: KeywardError };

const RETRY_DELAYS_MS = [200, 800, 2000];
/** The longest Retry-After the SDK waits for within one call; beyond it the call reports unreachable. */
const MAX_RETRY_AFTER_MS = 5000;

/** The license server's machine API as the SDK sees it: answers and refusals as values. */
export class VendorApi {
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: VendorApiOptions) {
    this.attempts = options.attempts ?? 3;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Retries by status class only (network, 5xx, 429), never by guessing at codes. */
  async post(path: string, body: unknown): Promise<ApiAnswer> {
    let last: ApiAnswer = { kind: 'unreachable', error: keywardError('NETWORK_UNAVAILABLE') };
    let delay = 0;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const result = await this.once(path, body);
      last = result.answer;
      if (last.kind !== 'unreachable') return last;
      delay = result.retryAfterMs ?? RETRY_DELAYS_MS[attempt] ?? 2000;
      if (delay > MAX_RETRY_AFTER_MS) return last;
    }
    return last;
  }

  private async once(path: string, body: unknown): Promise<{ answer: ApiAnswer; retryAfterMs?: number }> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.options.serverUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = `The license server at ${this.options.serverUrl} could not be reached (${reason}).`;
      return { answer: { kind: 'unreachable', error: keywardError('NETWORK_UNAVAILABLE', message) } };
    }
    let payload: unknown;
    try {
      payload = await response.json();
    } catch {
      payload = undefined;
    }
    if (response.ok && payload !== undefined) return { answer: { kind: 'answer', body: payload } };
    if (response.status >= 500 || response.status === 429 || payload === undefined) {
      const retryAfter = Number(response.headers.get('retry-after'));
      const error = keywardError(
        'NETWORK_UNAVAILABLE',
        `The license server answered with HTTP ${response.status}; try again later.`,
      );
      return {
        answer: { kind: 'unreachable', error },
        retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      };
    }
    const problem = payload as {
      code?: unknown;
      message?: unknown;
      facts?: Record<string, unknown>;
      refusal?: unknown;
    };
    const message = typeof problem.message === 'string' ? problem.message : undefined;
    const error = isErrorCode(problem.code)
      ? keywardError(problem.code, message, problem.facts)
      : keywardError(
          'INTERNAL_ERROR',
          `The license server refused with an unknown code (HTTP ${response.status}).`,
        );
    return { answer: { kind: 'refused', error, signedRefusal: problem.refusal } };
  }
}
