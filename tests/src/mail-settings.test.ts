import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { describeMail, readServerConfig } from '@keyward/server';
import { FROM } from './support/mail.js';

describe('mail settings', () => {
  const dataDir = resolve('/srv/keyward');
  const cases: ReadonlyArray<readonly [name: string, env: NodeJS.ProcessEnv, expected: string]> = [
    ['no settings: files in the data directory', {}, `files ${dataDir}/mail Keyward <keyward@localhost>`],
    [
      'a From for the files',
      { KEYWARD_MAIL_FROM: 'licensing@acme.example' },
      `files ${dataDir}/mail licensing@acme.example`,
    ],
    [
      'SMTP with a login',
      { KEYWARD_SMTP_URL: 'smtps://user:pw@mail.acme.example:465', KEYWARD_MAIL_FROM: FROM },
      `smtp smtps://user:pw@mail.acme.example:465 ${FROM}`,
    ],
    [
      'SMTP without a From',
      { KEYWARD_SMTP_URL: 'smtp://mail.acme.example' },
      'KEYWARD_MAIL_FROM must be set',
    ],
    [
      'not an SMTP address',
      { KEYWARD_SMTP_URL: 'https://mail.acme.example', KEYWARD_MAIL_FROM: FROM },
      'KEYWARD_SMTP_URL must be',
    ],
    [
      'not a URL',
      { KEYWARD_SMTP_URL: 'mail server', KEYWARD_MAIL_FROM: FROM },
      'KEYWARD_SMTP_URL is not a valid URL',
    ],
    [
      'a From that is no address',
      { KEYWARD_MAIL_FROM: 'Acme Licensing' },
      'KEYWARD_MAIL_FROM must be an address',
    ],
  ];
  for (const [name, env, expected] of cases) {
    it(name, () => {
      const config = readServerConfig({ KEYWARD_DATA_DIR: dataDir, ...env });
      if (!config.ok) {
        assert.equal(config.error.code, 'CONFIG_INVALID');
        assert.ok(config.error.message.startsWith(expected), config.error.message);
        return;
      }
      const { mail } = config.value;
      assert.equal(
        `${mail.transport} ${mail.transport === 'smtp' ? mail.url : mail.dir} ${mail.from}`,
        expected,
      );
    });
  }

  it('the SMTP password is not shown at start', () => {
    assert.equal(
      describeMail({ transport: 'smtp', url: 'smtp://user:secret@mail.acme.example:587', from: FROM }),
      `e-mails are sent through smtp://user:***@mail.acme.example:587 from ${FROM}`,
    );
  });
});
