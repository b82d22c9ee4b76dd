import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { MAX_RETRY_AFTER_MS, retryAfterMs, VendorApi } from './vendor-api.js';

interface Scripted {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON, a string as it is. */
  readonly body?: unknown;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A license server on loopback that answers each request with the next scripted answer (the last one repeats). */
async function scriptedServer(answers: readonly Scripted[]) {
  const arrivals: number[] = [];
  const server = createHttpServer((request, response) => {
    request.resume();
    request.on('end', () => {
      arrivals.push(Date.now());
      const answer = answers[Math.min(arrivals.length, answers.length) - 1] as Scripted;
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
      const type = typeof answer.body === 'string' ? 'text/html' : 'application/problem+json';
      response.writeHead(answer.status, { 'content-type': type, connection: 'close', ...answer.headers });
      response.end(text);
    });
  });
  const url = await listen(server);
  const gaps = () => arrivals.slice(1).map((at, i) => at - (arrivals[i] as number));
  return { url, arrivals, gaps, close: () => close(server) };
}

const problem = (code: string, message: string) => ({ code, message, requestId: 'req-1' });

describe('VendorApi: retries by status class, never by code', () => {
  it('429 with Retry-After: 1 waits a second, then takes the answer', async () => {
    const server = await scriptedServer([
      { status: 429, headers: { 'retry-after': '1' }, body: problem('RATE_LIMITED', 'Slow down.') },
      { status: 200, body: { grant: 'g' } },
    ]);
    const answer = await new VendorApi({ serverUrl: server.url, backoffMs: 1 }).post('/v1/machine/check', {});
    await server.close();
    assert.deepEqual(answer, { kind: 'answer', body: { grant: 'g' } });
    assert.equal(server.arrivals.length, 2);
    assert.ok((server.gaps()[0] ?? 0) >= 950, `waited ${server.gaps()[0]} ms`);
  });

  it('503 with Retry-After as an HTTP-date waits until that time', async () => {
    const at = new Date(Date.now() + 2000).toUTCString();
    const server = await scriptedServer([
      { status: 503, headers: { 'retry-after': at }, body: problem('DATABASE_UNAVAILABLE', 'Not now.') },
      { status: 200, body: { receipt: 'r' } },
    ]);
    const answer = await new VendorApi({ serverUrl: server.url, backoffMs: 1 }).post(
      '/v1/machine/deactivate',
      {},
    );
    await server.close();
    assert.equal(answer.kind, 'answer');
    const gap = server.gaps()[0] ?? 0;
    // The date has whole seconds: the wait ends between one and two seconds from now.
    assert.ok(gap >= 900 && gap < 2500, `waited ${gap} ms`);
  });

  it("503 every time: as many attempts as allowed, then the server's own code and sentence", async () => {
    const server = await scriptedServer([
      {
        status: 503,
        headers: { 'retry-after': '1' },
        body: problem('DATABASE_UNAVAILABLE', 'The database does not answer: try again in a moment.'),
      },
    ]);
    const answer = await new VendorApi({ serverUrl: server.url, attempts: 2 }).post('/v1/machine/check', {});
    await server.close();
    assert.equal(server.arrivals.length, 2);
    assert.ok((server.gaps()[0] ?? 0) >= 950);
    assert.deepEqual(answer, {
      kind: 'unreachable',
      error: {
        code: 'DATABASE_UNAVAILABLE',
        message: 'The database does not answer: try again in a moment.',
      },
    });
  });

  it('500 every time: attempts counted, each wait between half and all of a doubling backoff', async () => {
    const server = await scriptedServer([{ status: 500, body: problem('INTERNAL_ERROR', 'It broke.') }]);
    const answer = await new VendorApi({ serverUrl: server.url, attempts: 3, backoffMs: 200 }).post('/x', {});
    await server.close();
    assert.equal(server.arrivals.length, 3);
    const [first = 0, second = 0] = server.gaps();
    assert.ok(first >= 95 && first < 600, `first wait ${first} ms`);
    assert.ok(second >= 195 && second < 900, `second wait ${second} ms`);
    assert.equal(answer.kind, 'unreachable');
    assert.equal(answer.kind === 'unreachable' && answer.error.code, 'INTERNAL_ERROR');
  });

  it('a 5xx without a problem (a proxy page) is a network failure, tried again', async () => {
    const server = await scriptedServer([{ status: 502, body: '<html>Bad gateway</html>' }]);
    const answer = await new VendorApi({ serverUrl: server.url, attempts: 2, backoffMs: 1 }).post('/x', {});
    await server.close();
    assert.equal(server.arrivals.length, 2);
    assert.equal(answer.kind === 'unreachable' && answer.error.code, 'NETWORK_UNAVAILABLE');
  });

  it('404 with a code this build does not know: one attempt, the code and the sentence as the server gave them', async () => {
    const server = await scriptedServer([
      { status: 404, body: problem('LICENSE_ON_MARS', 'This license was moved to Mars.') },
    ]);
    const answer = await new VendorApi({ serverUrl: server.url, backoffMs: 1 }).post('/x', {});
    await server.close();
    assert.equal(server.arrivals.length, 1);
    assert.deepEqual(answer, {
      kind: 'refused',
      error: { code: 'LICENSE_ON_MARS', message: 'This license was moved to Mars.' },
      signedRefusal: undefined,
    });
  });

  it('a known refusal is final, with its facts and its signed refusal', async () => {
    const signed = { payload: 'p', signature: 's' };
    const server = await scriptedServer([
      {
        status: 409,
        body: { ...problem('TRANSFER_LIMIT_REACHED', 'No more.'), facts: { limit: 3 }, refusal: signed },
      },
    ]);
    const answer = await new VendorApi({ serverUrl: server.url, backoffMs: 1 }).post('/x', {});
    await server.close();
    assert.equal(server.arrivals.length, 1);
    assert.deepEqual(answer, {
      kind: 'refused',
      error: { code: 'TRANSFER_LIMIT_REACHED', message: 'No more.', detail: { limit: 3 } },
      signedRefusal: signed,
    });
  });

  it('a 4xx without a problem (a wrong address) is not tried again', async () => {
    const server = await scriptedServer([{ status: 404, body: '<html>Not here</html>' }]);
    const answer = await new VendorApi({ serverUrl: server.url, backoffMs: 1 }).post('/x', {});
    await server.close();
    assert.equal(server.arrivals.length, 1);
    assert.equal(answer.kind === 'unreachable' && answer.error.code, 'ANSWER_UNSIGNED');
  });

  it('a Retry-After that would end past the deadline ends the call at once', async () => {
    const server = await scriptedServer([
      { status: 503, headers: { 'retry-after': '120' }, body: problem('DATABASE_UNAVAILABLE', 'Not now.') },
    ]);
    const started = Date.now();
    const answer = await new VendorApi({ serverUrl: server.url, deadlineMs: 2000 }).post('/x', {});
    await server.close();
    assert.ok(Date.now() - started < 1000);
    assert.equal(server.arrivals.length, 1);
    assert.equal(answer.kind === 'unreachable' && answer.error.code, 'DATABASE_UNAVAILABLE');
  });

  it('connections reset: every attempt made, then NETWORK_UNAVAILABLE', async () => {
    let connections = 0;
    const server = createTcpServer((socket) => {
      connections++;
      socket.destroy();
    });
    const url = await listen(server);
    const answer = await new VendorApi({ serverUrl: url, attempts: 3, backoffMs: 1 }).post('/x', {});
    await close(server);
    assert.equal(connections, 3);
    assert.equal(answer.kind === 'unreachable' && answer.error.code, 'NETWORK_UNAVAILABLE');
  });

  it('connection refused: tried again after the backoff, then NETWORK_UNAVAILABLE naming the server', async () => {
    const server = createTcpServer();
    const url = await listen(server);
    await close(server);
    const started = Date.now();
    const answer = await new VendorApi({ serverUrl: url, attempts: 3, backoffMs: 100 }).post('/x', {});
    // Two waits: at least 50 ms, then at least 100 ms.
    assert.ok(Date.now() - started >= 145, `took ${Date.now() - started} ms`);
    assert.equal(answer.kind, 'unreachable');
    assert.ok(answer.kind === 'unreachable' && answer.error.message.includes(url));
    assert.equal(answer.error.code, 'NETWORK_UNAVAILABLE');
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  const cases: ReadonlyArray<[string, string | null, number | undefined]> = [
    ['seconds', '3', 3000],
    ['zero', '0', 0],
    ['more than the most', '3600', MAX_RETRY_AFTER_MS],
    ['an HTTP-date', 'Sun, 01 Mar 2026 12:00:05 GMT', 5000],
    ['an HTTP-date in the past', 'Sun, 01 Mar 2026 11:00:00 GMT', 0],
    ['an HTTP-date a day away', 'Mon, 02 Mar 2026 12:00:00 GMT', MAX_RETRY_AFTER_MS],
    ['a fraction', '1.5', undefined],
    ['words', 'soon', undefined],
    ['absent', null, undefined],
  ];
  for (const [what, header, expected] of cases) {
    it(`${what}: ${String(expected)}`, () => assert.equal(retryAfterMs(header, now), expected));
  }
});
