import { setTimeout as sleep } from 'node:timers/promises';
import {
  errorCatalogue,
  isErrorCode,
  isReceivedErrorCode,
  keywardError,
  type ReceivedError,
} from '@keyward/core/license-container';

export interface VendorApiOptions {
  readonly serverUrl: string;
  /** Attempts in all; only network failures, 5xx and 429 answers are tried again. */
  readonly attempts?: number;
  /** How long one attempt may take. */
  readonly timeoutMs?: number;
  /**
   * How long one call may take in all, waits between attempts included: a wait that would end
   * after it is not made, and the last failure is the answer. An application's start does not
   * hang on a server that asks it to come back in a minute.
   */
  readonly deadlineMs?: number;
  /** The first wait between attempts; each next one doubles, jittered so that clients spread out. */
  readonly backoffMs?: number;
  readonly fetch?: typeof fetch;
}

/**
 * What the license server said. A refusal carries the vendor's signed refusal when the server
 * could sign one (it needs the request's nonce); the SDK acts only on those. Its code may be one
 * a newer server added: it comes with the server's sentence.
 */
export type ApiAnswer =
  | { readonly kind: 'answer'; readonly body: unknown }
  | { readonly kind: 'refused'; readonly error: ReceivedError; readonly signedRefusal: unknown }
  | { readonly kind: 'unreachable'; readonly error: ReceivedError };

/** The longest a `Retry-After` is waited for; a server asking for more is asked again after this. */
export const MAX_RETRY_AFTER_MS = 60_000;
const MAX_BACKOFF_MS = 10_000;

type Unreachable = Extract<ApiAnswer, { kind: 'unreachable' }>;

/** One attempt: final, or worth another (after the server's `Retry-After` when it gave one). */
type Attempt =
  | { readonly retry: false; readonly answer: ApiAnswer }
  | { readonly retry: true; readonly answer: Unreachable; readonly retryAfterMs: number | undefined };

/** A `Retry-After` header (delay-seconds or an HTTP-date) as milliseconds to wait, at most a minute. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  // An HTTP-date names its day and month; anything else that is not whole seconds is no delay.
  const ms = /^\d+$/.test(text)
    ? Number(text) * 1000
    : /[A-Za-z]/.test(text)
      ? Date.parse(text) - now
      : Number.NaN;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** The license server's machine API as the SDK sees it: answers and refusals as values. */
export class VendorApi {
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;
  private readonly backoffMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: VendorApiOptions) {
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.deadlineMs = options.deadlineMs ?? 30_000;
    this.backoffMs = options.backoffMs ?? 200;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Retries by status class only (network, 5xx, 429), never by guessing at codes. */
  async post(path: string, body: unknown): Promise<ApiAnswer> {
    const deadline = Date.now() + this.deadlineMs;
    let attempt = await this.once(path, body, deadline);
    for (let tried = 1; tried < this.attempts && attempt.retry; tried++) {
      const wait = attempt.retryAfterMs ?? this.backoff(tried);
      if (Date.now() + wait >= deadline) break;
      await sleep(wait);
      attempt = await this.once(path, body, deadline);
    }
    return attempt.answer;
  }

  /** Half the doubled delay for sure, the other half at random. */
  private backoff(tried: number): number {
    const ceiling = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 ** (tried - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  private async once(path: string, body: unknown, deadline: number): Promise<Attempt> {
    const server = this.options.serverUrl;
    let response: Response;
    try {
      response = await this.fetchImpl(`${server}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(Math.max(1, Math.min(this.timeoutMs, deadline - Date.now()))),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = `The license server at ${server} could not be reached (${reason}).`;
      return unreachable(keywardError('NETWORK_UNAVAILABLE', message), true);
    }
    const payload: unknown = await response.json().catch(() => undefined);
    const { status } = response;
    if (response.ok) {
      if (payload !== undefined) return { retry: false, answer: { kind: 'answer', body: payload } };
      const message = `The license server at ${server} answered HTTP ${status} without a JSON body.`;
      return unreachable(keywardError('ANSWER_UNSIGNED', message), false);
    }
    const problem = problemOf(payload, status);
    if (status >= 500 || status === 429) {
      const error =
        problem?.error ??
        keywardError('NETWORK_UNAVAILABLE', `The license server answered HTTP ${status}; try again later.`);
      const wait =
        status === 429 || status === 503
          ? retryAfterMs(response.headers.get('retry-after'), Date.now())
          : undefined;
      return { retry: true, answer: { kind: 'unreachable', error }, retryAfterMs: wait };
    }
    if (problem === undefined) {
      const message = `The license server at ${server} answered HTTP ${status} without a Keyward refusal: check its address.`;
      return unreachable(keywardError('ANSWER_UNSIGNED', message), false);
    }
    return {
      retry: false,
      answer: { kind: 'refused', error: problem.error, signedRefusal: problem.refusal },
    };
  }
}

function unreachable(error: ReceivedError, retry: boolean): Attempt {
  const answer: Unreachable = { kind: 'unreachable', error };
  return retry ? { retry, answer, retryAfterMs: undefined } : { retry, answer };
}

/** A problem document's refusal, its code kept even when this build does not know it. */
function problemOf(payload: unknown, status: number): { error: ReceivedError; refusal: unknown } | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { code, message, facts, refusal } = payload as Record<string, unknown>;
  if (!isReceivedErrorCode(code)) return undefined;
  const sentence =
    typeof message === 'string' && message.trim() !== ''
      ? message
      : isErrorCode(code)
        ? errorCatalogue[code]
        : `The license server refused the request (HTTP ${status}, ${code}).`;
  const detail =
    typeof facts === 'object' && facts !== null && !Array.isArray(facts)
      ? { detail: facts as Readonly<Record<string, unknown>> }
      : {};
  return { error: { code, message: sentence, ...detail }, refusal };
}
