import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { queueMail } from '@keyward/server';
import { simpleParser } from 'mailparser';
import {
  ATTACHMENT,
  outboxRow,
  outgoing,
  startServerProcess,
  stopServerProcess,
  UPGRADE_FILE,
  until,
} from './support/mail.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

describe('e-mail without SMTP settings: .eml files in the data directory', () => {
  let vendor: TestVendor;

  before(async () => {
    vendor = await startTestVendor();
  });
  after(() => vendor.close());

  it('writes each mail as a whole RFC 822 file with its attachment, which a mail parser reads back', async () => {
    const { mail } = vendor.server.context.config;
    assert.deepEqual(mail, {
      transport: 'files',
      dir: join(vendor.dataDir, 'mail'),
      from: 'Keyward <keyward@localhost>',
    });
    const id = await queueMail(
      vendor.server.context.db,
      outgoing('Your upgrade file, on disk', [ATTACHMENT]),
      vendor.clock.now().toISOString(),
    );
    const name = await until('the .eml file', async () => {
      const names = await readdir(join(vendor.dataDir, 'mail')).catch(() => []);
      return names.find((file) => file.endsWith(`-${id}.eml`));
    });
    assert.match(name, /^\d{8}T\d{6}Z-msg_[a-z0-9]{26}\.eml$/);
    const raw = await readFile(join(vendor.dataDir, 'mail', name));
    assert.ok(!/[^\r]\n/.test(raw.toString('latin1')), 'CRLF line ends throughout');

    const parsed = await simpleParser(raw);
    assert.equal(parsed.subject, 'Your upgrade file, on disk');
    assert.deepEqual(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : [], [
      { name: '', address: 'dealer@example.com' },
    ]);
    assert.deepEqual(parsed.from?.value, [{ name: 'Keyward', address: 'keyward@localhost' }]);
    assert.equal(parsed.text, outgoing('Your upgrade file, on disk').text);
    assert.equal(parsed.messageId, `<${id}@localhost>`);
    assert.equal(parsed.attachments[0]?.filename, ATTACHMENT.filename);
    assert.deepEqual(parsed.attachments[0]?.content, UPGRADE_FILE);

    const row = await until('the mail marked sent', async () => {
      const current = await outboxRow(vendor.server, id);
      return current.state === 'sent' ? current : undefined;
    });
    assert.equal(row.attempts, 1);
    assert.deepEqual(
      (await readdir(join(vendor.dataDir, 'mail'))).filter((file) => file.endsWith('.tmp')),
      [],
      'no partial file left',
    );
  });

  it('the server says at start that mail goes to files, and where', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'keyward-mail-start-'));
    try {
      const { child, output } = await startServerProcess(
        ['--log-level', 'silent', '--data-dir', dataDir],
        {},
      );
      await stopServerProcess(child);
      assert.ok(
        output.includes(
          `Mail: no KEYWARD_SMTP_URL set: e-mails are written to ${join(dataDir, 'mail')} as .eml files.`,
        ),
        output,
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
