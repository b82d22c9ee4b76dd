import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { queueMail, startVendorServer } from '@keyward/server';
import {
  FROM,
  outboxRow,
  outgoing,
  sleep,
  startServerProcess,
  stopServerProcess,
  until,
} from './support/mail.js';
import { smtpReceiver } from './support/smtp-receiver.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

describe('a server process killed while it sends a mail', () => {
  let vendor: TestVendor;
  let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
  let child: ChildProcess | undefined;

  before(async () => {
    smtp = await smtpReceiver();
    vendor = await startTestVendor({ KEYWARD_SMTP_URL: smtp.url, KEYWARD_MAIL_FROM: FROM });
  });
  after(async () => {
    if (child !== undefined) await stopServerProcess(child);
    await vendor.close();
    await smtp.close();
  });

  it("another process sends the mail once the killed one's claim runs out, and it arrives once", async () => {
    const { config } = vendor.server.context;
    // At first only the process to be killed runs jobs: this process's server stops polling.
    await vendor.server.close();
    vendor.server = await startVendorServer(
      { ...config, port: 0 },
      { now: vendor.clock.now, jobPollMs: 3_600_000 },
    );
    const started = await startServerProcess(
      ['--json', '--log-level', 'silent', '--data-dir', vendor.dataDir],
      {
        KEYWARD_SMTP_URL: smtp.url,
        KEYWARD_MAIL_FROM: FROM,
        KEYWARD_DATABASE_URL:
          config.database.engine === 'postgres' ? config.database.url : `sqlite:${config.database.file}`,
      },
    );
    child = started.child;

    smtp.stall(1);
    const id = await queueMail(
      vendor.server.context.db,
      outgoing('Sent by the survivor'),
      new Date().toISOString(),
    );
    await until('the mail in the SMTP conversation', async () => smtp.stalled[0]);
    const held = await outboxRow(vendor.server, id);
    assert.deepEqual([held.state, held.attempts], ['sending', 1]);
    const killed = new Promise((done) => child?.once('exit', done));
    child.kill('SIGKILL');
    await killed;

    await vendor.server.close();
    vendor.server = await startVendorServer({ ...config, port: 0 }, { now: vendor.clock.now });
    await sleep(800);
    assert.equal(
      (await outboxRow(vendor.server, id)).state,
      'sending',
      'the killed process still holds the mail',
    );
    assert.equal(smtp.received.length, 0);

    vendor.clock.advanceDays(6 / 1440);
    const received = await smtp.waitFor((mail) => mail.parsed.subject === 'Sent by the survivor');
    assert.equal(
      received.parsed.messageId,
      smtp.stalled[0]?.parsed.messageId,
      'the same message as the one cut off',
    );
    const sent = await until('the mail marked sent', async () => {
      const row = await outboxRow(vendor.server, id);
      return row.state === 'sent' ? row : undefined;
    });
    assert.equal(sent.attempts, 2);
    await sleep(800);
    assert.equal(smtp.received.length, 1, 'accepted once');
  });
});
