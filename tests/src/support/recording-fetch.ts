/** A fetch that records each machine request and its answer, so tests can count, replay or fake them. */
export interface RecordedCall {
  readonly path: string;
  readonly body: string;
  readonly status: number;
  readonly answer: string;
}

export function recordingFetch(): { fetch: typeof fetch; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const recording: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const answer = await response.text();
    calls.push({
      path: new URL(String(input)).pathname,
      body: String(init?.body ?? ''),
      status: response.status,
      answer,
    });
    return new Response(answer, { status: response.status, headers: response.headers });
  };
  return { fetch: recording, calls };
}
