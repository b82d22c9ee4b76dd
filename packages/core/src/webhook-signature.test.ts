import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  newStandardWebhookSecret,
  standardWebhookHeaders,
  verifyStandardWebhook,
} from './webhook-signature.js';

describe('Standard Webhooks signatures', () => {
  // The example of the Standard Webhooks specification, so any conforming receiver library agrees.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const body = '{"test": 2432232314}';
  const at = new Date(timestamp * 1000);

  it('signs as the specification does', () => {
    assert.deepEqual(standardWebhookHeaders(secret, id, timestamp, body), {
      'webhook-id': id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  const signed = {
    id,
    timestamp: String(timestamp),
    signature: standardWebhookHeaders(secret, id, timestamp, body)['webhook-signature'],
  };

  it('verifies a delivery, also among the signatures of a secret being rotated', () => {
    assert.ok(verifyStandardWebhook(secret, signed, body, at).ok);
    const rotating = {
      ...signed,
      signature: `v1,${Buffer.alloc(32).toString('base64')} ${signed.signature}`,
    };
    assert.ok(verifyStandardWebhook(secret, rotating, body, at).ok);
  });

  it('refuses a changed body, another id, another secret, and a missing header', () => {
    const refusals = [
      verifyStandardWebhook(secret, signed, '{"test": 1}', at),
      verifyStandardWebhook(secret, { ...signed, id: 'msg_other' }, body, at),
      verifyStandardWebhook(newStandardWebhookSecret(), signed, body, at),
      verifyStandardWebhook(secret, { ...signed, signature: undefined }, body, at),
    ];
    for (const refusal of refusals) assert.ok(!refusal.ok && refusal.error.code === 'SIGNATURE_INVALID');
  });

  it('refuses a delivery older than the tolerance as a possible replay', () => {
    const late = verifyStandardWebhook(secret, signed, body, new Date((timestamp + 301) * 1000));
    assert.ok(!late.ok && late.error.code === 'REQUEST_STALE');
  });

  it('makes secrets of 32 random bytes', () => {
    const made = newStandardWebhookSecret();
    assert.match(made, /^whsec_/);
    assert.equal(Buffer.from(made.slice('whsec_'.length), 'base64').length, 32);
    assert.notEqual(made, newStandardWebhookSecret());
  });
});
