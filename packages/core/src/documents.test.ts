import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repeatsWaitingRequest } from './documents.js';

describe('asking again to activate offline', () => {
  const now = new Date('2026-06-30T00:00:00Z');
  const waiting = { serial: 'A', pendingActivation: { requestedAt: '2026-06-20T00:00:00.000Z' } };
  const rows: ReadonlyArray<
    [string, typeof waiting | { serial: null; pendingActivation: null }, string, boolean]
  > = [
    ['nothing waiting: a new request', { serial: null, pendingActivation: null }, 'A', false],
    ['the same serial, ten days on: the same request', waiting, 'A', true],
    ['another serial: a new request', waiting, 'B', false],
    [
      'older than the vendor accepts: a new request',
      { ...waiting, pendingActivation: { requestedAt: '2026-05-30T00:00:00.000Z' } },
      'A',
      false,
    ],
  ];
  for (const [what, container, serial, repeats] of rows) {
    it(what, () => assert.equal(repeatsWaitingRequest(container, serial, now), repeats));
  }
});
