import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSiteConfig } from './config.js';

describe('the site mail settings', () => {
  const base = { KEYWARD_SITE_DATA_DIR: '/srv/site' };

  it('writes .eml files under the data directory with no SMTP server', () => {
    const config = readSiteConfig(base);
    assert.ok(config.ok);
    assert.deepEqual(config.value.mail, {
      transport: 'files',
      dir: '/srv/site/mail',
      from: 'Keyward site server <keyward-site@localhost>',
    });
  });

  it('takes the SMTP server and sender from flags before the environment', () => {
    const config = readSiteConfig(
      { ...base, KEYWARD_SITE_SMTP_URL: 'smtp://env.example', KEYWARD_SITE_MAIL_FROM: 'env@plant.example' },
      { smtpUrl: 'smtps://u:p@mail.plant.example:465', mailFrom: 'Licensing <licensing@plant.example>' },
    );
    assert.ok(config.ok);
    assert.deepEqual(config.value.mail, {
      transport: 'smtp',
      url: 'smtps://u:p@mail.plant.example:465',
      from: 'Licensing <licensing@plant.example>',
    });
  });

  const refused: Array<[string, NodeJS.ProcessEnv]> = [
    [
      'KEYWARD_SITE_SMTP_URL',
      { KEYWARD_SITE_SMTP_URL: 'http://mail.example', KEYWARD_SITE_MAIL_FROM: 'a@b.example' },
    ],
    ['KEYWARD_SITE_SMTP_URL', { KEYWARD_SITE_SMTP_URL: 'not a url', KEYWARD_SITE_MAIL_FROM: 'a@b.example' }],
    ['KEYWARD_SITE_MAIL_FROM', { KEYWARD_SITE_SMTP_URL: 'smtp://mail.example' }],
    ['KEYWARD_SITE_MAIL_FROM', { KEYWARD_SITE_MAIL_FROM: 'licensing' }],
  ];
  for (const [setting, env] of refused) {
    it(`refuses ${JSON.stringify(env)}, naming ${setting}`, () => {
      const config = readSiteConfig({ ...base, ...env });
      assert.ok(
        !config.ok && config.error.code === 'CONFIG_INVALID' && config.error.message.startsWith(setting),
      );
    });
  }
});
