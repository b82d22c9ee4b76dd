import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { readSiteConfig } from './config.js';

describe('site configuration', () => {
  it('defaults: port 8090, ./site-data, 60 s heartbeats, 3 missed, 7 days of borrowing', () => {
    const config = readSiteConfig({});
    assert.ok(config.ok);
    assert.deepEqual(
      [config.value.port, config.value.databaseFile, config.value.seats],
      [
        8090,
        join(resolve('./site-data'), 'site.db'),
        { heartbeatSeconds: 60, missedHeartbeats: 3, maxBorrowDays: 7 },
      ],
    );
  });

  it('speaks site protocol 2 and offers donations again every 60 s unless told otherwise', () => {
    const config = readSiteConfig({ KEYWARD_SITE_PROTOCOL: '1' });
    assert.deepEqual(config.ok && [config.value.protocol, config.value.neighbourSeconds], [1, 60]);
    assert.equal(readSiteConfig({}, { protocol: 2 }).ok && readSiteConfig({}).ok, true);
  });

  it('the expiration task runs hourly and knows the vendor only when told', () => {
    const config = readSiteConfig({ KEYWARD_SITE_VENDOR_URL: 'https://licensing.example.com' });
    assert.deepEqual(config.ok && [config.value.taskMinutes, config.value.vendorUrl], [
      60,
      'https://licensing.example.com',
    ]);
    const unset = readSiteConfig({});
    assert.equal(unset.ok && unset.value.vendorUrl, undefined);
  });

  it('flags win over the environment', () => {
    const config = readSiteConfig({ KEYWARD_SITE_MAX_BORROW_DAYS: '3' }, { maxBorrowDays: 10 });
    assert.equal(config.ok && config.value.seats.maxBorrowDays, 10);
  });

  it('a wrong setting is refused with its name', () => {
    for (const [name, value] of [
      ['KEYWARD_SITE_PORT', '70000'],
      ['KEYWARD_SITE_HEARTBEAT_SECONDS', '0'],
      ['KEYWARD_SITE_MISSED_HEARTBEATS', 'three'],
      ['KEYWARD_SITE_MAX_BORROW_DAYS', '-1'],
      ['KEYWARD_SITE_DATABASE_URL', 'postgres://db/site'],
      ['KEYWARD_SITE_PROTOCOL', '3'],
      ['KEYWARD_SITE_NEIGHBOUR_SECONDS', '0'],
      ['KEYWARD_LOG_LEVEL', 'loud'],
      ['KEYWARD_SITE_VENDOR_URL', 'not a url'],
      ['KEYWARD_SITE_TASK_MINUTES', '0'],
    ] as const) {
      const config = readSiteConfig({ [name]: value });
      assert.equal(config.ok, false, name);
      assert.ok(
        !config.ok && config.error.code === 'CONFIG_INVALID' && config.error.message.startsWith(name),
      );
    }
  });
});
