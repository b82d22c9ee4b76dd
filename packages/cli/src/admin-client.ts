import {
  err,
  errorCatalogue,
  isErrorCode,
  isReceivedErrorCode,
  ok,
  type ReceivedError,
  type Result,
  refuse,
} from '@keyward/core';

/** An admin API over HTTP with its token: the vendor's, or a site server's. */
export class AdminClient {
  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<Result<T, ReceivedError>> {
    let response: Response;
    try {
      response = await fetch(`${this.url.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return refuse(
        'NETWORK_UNAVAILABLE',
        `The Keyward server at ${this.url} could not be reached (${reason}).`,
      );
    }
    const payload = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (response.ok && payload !== undefined) return ok(payload as T);
    // A code this build does not know (a newer server's) is shown as the server said it.
    const code = payload?.code;
    if (isReceivedErrorCode(code)) {
      const message = typeof payload?.message === 'string' ? payload.message : undefined;
      const fallback = isErrorCode(code)
        ? errorCatalogue[code]
        : `The Keyward server refused (HTTP ${response.status}).`;
      return err({ code, message: message ?? fallback });
    }
    return refuse('INTERNAL_ERROR', `The Keyward server answered with HTTP ${response.status}.`);
  }
}
