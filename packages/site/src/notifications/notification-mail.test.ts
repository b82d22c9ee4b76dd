import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SiteEvent } from '../site-events.js';
import { notificationMail } from './notification-mail.js';

const base: SiteEvent = {
  id: 'ntf_1',
  kind: 'license.expiring',
  occurredAt: '2027-01-01T00:00:00.000Z',
  site: { id: 'sit_1', name: 'Plant 1' },
  license: { serial: 'KW-OLD', product: 'cad', expiresAt: '2027-01-20T00:00:00.000Z' },
};
const renewal = {
  serial: 'KW-NEW',
  expiresAt: '2028-01-20T00:00:00.000Z',
  propagatedTo: { stations: ['ws-1', 'ws-2'], neighbours: ['sit_child'] },
};

describe('notification mails', () => {
  it('an expiring license: site, serial, product and the last day it is valid, as the vendor gave it', () => {
    const mail = notificationMail(base);
    assert.equal(mail.subject, '[Plant 1] License KW-OLD is valid through 2027-01-19 only');
    for (const fact of ['Plant 1', 'sit_1', 'KW-OLD', 'cad', 'Valid through: 2027-01-19'])
      assert.match(mail.text, new RegExp(fact));
  });

  it('an incompatible renewal: the new key and the reason', () => {
    const mail = notificationMail({
      ...base,
      kind: 'license.renewal_incompatible',
      renewal: { ...renewal, propagatedTo: { stations: [], neighbours: [] } },
      reason: { mismatch: 'FEWER_SEATS', message: 'The renewal has 5 nodes where the license has 10.' },
    });
    assert.match(mail.subject, /cannot be renewed automatically/);
    assert.match(mail.text, /Reason: The renewal has 5 nodes where the license has 10\./);
    assert.match(mail.text, /New license: KW-NEW/);
    assert.match(mail.text, /Propagated to stations: none/);
  });

  it('a renewed license: the new key and where it was propagated', () => {
    const mail = notificationMail({ ...base, kind: 'license.renewed', renewal });
    assert.match(mail.subject, /KW-OLD renewed automatically/);
    assert.match(mail.text, /New license valid through: 2028-01-19/);
    assert.match(mail.text, /Propagated to stations: ws-1, ws-2/);
    assert.match(mail.text, /neighbour site servers: sit_child/);
    assert.match(mail.text, /keyward site license export KW-NEW/);
  });
});
