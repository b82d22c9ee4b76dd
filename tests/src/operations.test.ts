import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testComputer } from './support/computer.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

describe('operations endpoints', () => {
  let vendor: TestVendor;
  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('/healthz and /readyz answer', async () => {
    assert.deepEqual(await (await fetch(`${vendor.url}/healthz`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${vendor.url}/readyz`)).json(), { status: 'ready' });
  });

  it('/metrics counts requests by route, activations, checks by outcome, and job lag', async () => {
    const issued = await vendor.issue({});
    const a = await testComputer('metrics-a', issued.sdkConfig);
    const b = await testComputer('metrics-b', issued.sdkConfig);
    assert.ok((await a.client.activate(issued.licenses[0]?.serial)).ok);
    assert.equal((await b.client.activate(issued.licenses[0]?.serial)).ok, false);
    assert.equal((await fetch(`${vendor.url}/metrics`)).status, 401, 'not without the admin token');
    const response = await fetch(`${vendor.url}/metrics`, {
      headers: { authorization: `Bearer ${vendor.token}` },
    });
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    assert.match(
      text,
      /keyward_http_requests_total\{route="\/v1\/machine\/activate",method="POST",status="200"\} 1/,
    );
    assert.match(
      text,
      /keyward_http_requests_total\{route="\/v1\/machine\/activate",method="POST",status="409"\} 1/,
    );
    assert.match(text, /keyward_activations_total 1/);
    assert.match(text, /keyward_checks_total\{outcome="SERIAL_BOUND_ELSEWHERE"\} 1/);
    assert.match(
      text,
      /keyward_http_request_duration_seconds_bucket\{le="\+Inf",route="\/v1\/machine\/activate",method="POST"\} 2/,
    );
    assert.match(text, /keyward_job_lag_seconds \d/);
  });
});
