import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryRetryDelaySeconds, MAX_DELIVERY_ATTEMPTS } from './delivery-retry.js';

describe('the notification retry schedule', () => {
  it('waits 1, 4, 16 and 64 minutes between the five tries', () => {
    const delays = Array.from({ length: MAX_DELIVERY_ATTEMPTS - 1 }, (_, i) =>
      deliveryRetryDelaySeconds(i + 1),
    );
    assert.deepEqual(delays, [60, 240, 960, 3840]);
  });
});
