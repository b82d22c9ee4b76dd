import { err, isErrorCode, keywardError, ok, type Result, refuse } from '@keyward/core';

export interface VendorApiOptions {
  readonly serverUrl: string;
  /** Attempts for network failures and 5xx answers; 4xx answers are final and never retried. */
  readonly attempts?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

const RETRY_DELAYS_MS = [200, 800, 2000];

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

  async post(path: string, body: unknown): Promise<Result<unknown>> {
    let last: Result<unknown> = refuse('NETWORK_UNAVAILABLE');
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      if (attempt > 0)
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt - 1] ?? 2000));
      last = await this.once(path, body);
      const retryable =
        !last.ok && (last.error.code === 'NETWORK_UNAVAILABLE' || last.error.code === 'INTERNAL_ERROR');
      if (!retryable) return last;
    }
    return last;
  }

  private async once(path: string, body: unknown): Promise<Result<unknown>> {
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
      return refuse(
        'NETWORK_UNAVAILABLE',
        `The license server at ${this.options.serverUrl} could not be reached (${reason}).`,
      );
    }
    let payload: unknown;
    try {
      payload = await response.json();
    } catch {
      payload = undefined;
    }
    if (response.ok && payload !== undefined) return ok(payload);
    const problem = payload as
      | { code?: unknown; message?: unknown; facts?: Record<string, unknown> }
      | undefined;
    if (response.status < 500 && problem !== undefined && isErrorCode(problem.code)) {
      const message = typeof problem.message === 'string' ? problem.message : undefined;
      return err(keywardError(problem.code, message, problem.facts));
    }
    return refuse('INTERNAL_ERROR', `The license server answered with HTTP ${response.status}.`);
  }
}
