import { err, isErrorCode, keywardError, ok, type Result, refuse } from '@keyward/core';

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
  ): Promise<Result<T>> {
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
    if (payload !== undefined && isErrorCode(payload.code)) {
      return err(
        keywardError(payload.code, typeof payload.message === 'string' ? payload.message : undefined),
      );
    }
    return refuse('INTERNAL_ERROR', `The Keyward server answered with HTTP ${response.status}.`);
  }
}
