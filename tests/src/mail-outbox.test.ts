import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { MailOutbox, queueMail, type RunningServer, startVendorServer } from '@keyward/server';
import {
  ATTACHMENT,
  FROM,
  outboxRow,
  outgoing,
  sleep,
  startServerProcess,
  stopServerProcess,
  UPGRADE_FILE,
  until,
} from './support/mail.js';
import { smtpReceiver } from './support/smtp-receiver.js';
import { startTestVendor, type TestVendor } from './support/vendor-server.js';

describe('e-mail over SMTP: queued with the change, sent by the job runner', () => {
  let vendor: TestVendor;
  let smtp: Awaited<ReturnType<typeof smtpReceiver>>;

  before(async () => {
    smtp = await smtpReceiver();
    vendor = await startTestVendor({ KEYWARD_SMTP_URL: smtp.url, KEYWARD_MAIL_FROM: FROM });
  });
  after(async () => {
    await vendor.close();
    await smtp.close();
  });

  it('delivers a mail queued in a transaction to the SMTP server: recipient, sender, subject, body and attachment', async () => {
    const at = vendor.clock.now().toISOString();
    const id = await vendor.server.context.db
      .transaction()
      .execute((trx) => queueMail(trx, outgoing('Your upgrade file', [ATTACHMENT]), at));
    assert.match(id, /^msg_[a-z0-9]{26}$/);

    const received = await smtp.waitFor((mail) => mail.parsed.subject === 'Your upgrade file');
    assert.deepEqual(received.recipients, ['dealer@example.com']);
    assert.equal(received.sender, 'licensing@acme.example');
    assert.deepEqual(received.parsed.from?.value, [
      { name: 'Acme Licensing', address: 'licensing@acme.example' },
    ]);
    assert.equal(received.parsed.text, outgoing('Your upgrade file').text);
    assert.equal(
      received.parsed.messageId,
      `<${id}@acme.example>`,
      'the Message-ID is fixed by the outbox row',
    );
    assert.equal(
      received.parsed.date?.toISOString(),
      new Date(Math.floor(Date.parse(at) / 1000) * 1000).toISOString(),
    );
    assert.equal(received.parsed.attachments.length, 1);
    const [attachment] = received.parsed.attachments;
    assert.equal(attachment?.filename, ATTACHMENT.filename);
    assert.equal(attachment?.contentType, ATTACHMENT.contentType);
    assert.deepEqual(attachment?.content, UPGRADE_FILE);

    const row = await until('the mail marked sent', async () => {
      const current = await outboxRow(vendor.server, id);
      return current.state === 'sent' ? current : undefined;
    });
    assert.deepEqual([row.attempts, row.last_error, row.claimed_by], [1, null, null]);
    assert.ok(row.sent_at !== null && row.sent_at >= at);
  });

  it('queues nothing when the change that caused the mail is rolled back', async () => {
    const db = vendor.server.context.db;
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await queueMail(trx, outgoing('Never sent'), vendor.clock.now().toISOString());
        throw new Error('the order change failed');
      }),
      /the order change failed/,
    );
    const rows = await db
      .selectFrom('mail_outbox')
      .select('id')
      .where('subject', '=', 'Never sent')
      .execute();
    assert.deepEqual(rows, []);
    const jobs = await db.selectFrom('jobs').select('id').where('kind', '=', 'mail.send').execute();
    const mails = await db.selectFrom('mail_outbox').select('id').execute();
    assert.equal(jobs.length, mails.length, 'no send job without its mail');
  });

  it('a mail server that is down delays the mail, tried again with backoff; once it is up the mail arrives once', async () => {
    const { db } = vendor.server.context;
    await smtp.stop();
    const queuedAt = vendor.clock.now();
    const id = await queueMail(db, outgoing('Delayed by the mail server'), queuedAt.toISOString());

    const first = await until('the first try to fail', async () => {
      const row = await outboxRow(vendor.server, id);
      return row.attempts === 1 && row.state === 'pending' ? row : undefined;
    });
    assert.match(first.last_error ?? '', /ECONNREFUSED/);
    const firstDelay = Date.parse(first.next_attempt_at) - queuedAt.getTime();
    assert.ok(
      firstDelay >= 60_000 && firstDelay < 65_000,
      `the next try a minute later, not ${firstDelay} ms`,
    );

    await sleep(500);
    assert.equal((await outboxRow(vendor.server, id)).attempts, 1, 'not tried again before its time');

    const secondAt = vendor.clock.now();
    vendor.clock.advanceDays(61 / 86_400);
    const second = await until('the second try to fail', async () => {
      const row = await outboxRow(vendor.server, id);
      return row.attempts === 2 && row.state === 'pending' ? row : undefined;
    });
    const secondDelay = Date.parse(second.next_attempt_at) - secondAt.getTime();
    assert.ok(
      secondDelay >= 181_000 && secondDelay < 186_000,
      `then two minutes later, not ${secondDelay} ms`,
    );

    await smtp.start();
    await sleep(500);
    assert.equal(
      smtp.received.filter((mail) => mail.parsed.subject === 'Delayed by the mail server').length,
      0,
    );

    vendor.clock.advanceDays(121 / 86_400);
    await smtp.waitFor((mail) => mail.parsed.subject === 'Delayed by the mail server');
    const sent = await until('the mail marked sent', async () => {
      const row = await outboxRow(vendor.server, id);
      return row.state === 'sent' ? row : undefined;
    });
    assert.equal(sent.attempts, 3);
    vendor.clock.advanceDays(1);
    await sleep(800);
    assert.equal(
      smtp.received.filter((mail) => mail.parsed.subject === 'Delayed by the mail server').length,
      1,
      'sent once, whatever the clock does after',
    );
  });

  it("a mail held by a process that stopped mid-send is taken over once that process's claim runs out, and the stopped process cannot record an outcome", async () => {
    const { db } = vendor.server.context;
    // Queued two hours ahead of the server's clock: its job runner leaves this mail alone.
    const later = new Date(vendor.clock.now().getTime() + 2 * 3_600_000);
    const id = await queueMail(db, outgoing('Taken over'), later.toISOString());
    const outbox = new MailOutbox(db);
    const at = (ms: number) => new Date(later.getTime() + ms);

    const stopped = await outbox.claim(id, later, 60_000);
    assert.ok(typeof stopped !== 'string');
    assert.deepEqual([stopped.attempt, stopped.takenOver], [1, false]);
    assert.equal(await outbox.claim(id, at(59_000), 60_000), 'held');

    const next = await outbox.claim(id, at(61_000), 60_000);
    assert.ok(typeof next !== 'string');
    assert.deepEqual([next.attempt, next.takenOver, next.mail.subject], [2, true, 'Taken over']);
    assert.equal(
      await outbox.markSent(id, stopped.token, at(62_000)),
      false,
      'the stopped process lost its claim',
    );
    assert.equal(await outbox.recordFailure(stopped, at(62_000), 'late'), undefined);
    assert.equal(await outbox.markSent(id, next.token, at(63_000)), true);
    assert.equal(await outbox.claim(id, at(3_600_000), 60_000), 'sent');
  });
});

describe('e-mail with several job runners and server processes on one database', () => {
  let vendor: TestVendor;
  let second: RunningServer | undefined;
  let child: ChildProcess | undefined;
  let smtp: Awaited<ReturnType<typeof smtpReceiver>>;

  before(async () => {
    smtp = await smtpReceiver();
    const mailEnv = { KEYWARD_SMTP_URL: smtp.url, KEYWARD_MAIL_FROM: FROM };
    vendor = await startTestVendor(mailEnv);
    const { config } = vendor.server.context;
    second = await startVendorServer({ ...config, port: 0 }, { now: vendor.clock.now });
    const started = await startServerProcess(
      ['--json', '--log-level', 'silent', '--data-dir', vendor.dataDir],
      {
        ...mailEnv,
        KEYWARD_DATABASE_URL:
          config.database.engine === 'postgres' ? config.database.url : `sqlite:${config.database.file}`,
      },
    );
    child = started.child;
    const ready = JSON.parse(started.output) as { mail: { transport: string; description: string } };
    assert.equal(ready.mail.transport, 'smtp');
    assert.match(
      ready.mail.description,
      /sent through smtp:\/\/keyward:\*\*\*@127\.0\.0\.1:\d+ from Acme Licensing/,
    );
  });
  after(async () => {
    if (child !== undefined) await stopServerProcess(child);
    await second?.close();
    await vendor.close();
    await smtp.close();
  });

  it('of two processes racing to claim one mail, exactly one holds it', async () => {
    const later = new Date(Date.now() + 2 * 3_600_000);
    const id = await queueMail(vendor.server.context.db, outgoing('Raced'), later.toISOString());
    const outboxes = [
      new MailOutbox(vendor.server.context.db),
      new MailOutbox((second ?? assert.fail()).context.db),
    ];
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, n) => outboxes[n % 2]?.claim(id, later, 60_000)),
    );
    assert.equal(claims.filter((claim) => typeof claim === 'object').length, 1);
    assert.equal(claims.filter((claim) => claim === 'held').length, 11);
  });

  it('three job runners (two in this process, one in another) send each of many mails exactly once', async () => {
    const at = new Date().toISOString();
    const subjects = Array.from({ length: 30 }, (_, n) => `Order ORD-${2000 + n} authorized`);
    const ids = await Promise.all(
      subjects.map((subject) =>
        vendor.server.context.db.transaction().execute((trx) => queueMail(trx, outgoing(subject), at)),
      ),
    );
    for (const subject of subjects) await smtp.waitFor((mail) => mail.parsed.subject === subject);
    await until('every mail marked sent', async () => {
      const rows = await vendor.server.context.db
        .selectFrom('mail_outbox')
        .select(['state', 'attempts'])
        .where('id', 'in', ids)
        .execute();
      return rows.every((row) => row.state === 'sent') ? rows : undefined;
    });
    await sleep(1_000);
    const counts = new Map<string, number>();
    for (const mail of smtp.received)
      counts.set(mail.parsed.subject ?? '', (counts.get(mail.parsed.subject ?? '') ?? 0) + 1);
    assert.deepEqual(
      subjects.filter((subject) => counts.get(subject) !== 1),
      [],
      'each mail arrived once',
    );
    const attempts = await vendor.server.context.db
      .selectFrom('mail_outbox')
      .select('attempts')
      .where('id', 'in', ids)
      .execute();
    assert.ok(
      attempts.every((row) => row.attempts === 1),
      'each mail claimed once',
    );
    const runners = await vendor.server.context.db
      .selectFrom('jobs')
      .select('locked_by')
      .distinct()
      .where('kind', '=', 'mail.send')
      .where('locked_by', 'is not', null)
      .execute();
    assert.ok(runners.length >= 2, 'the runners shared the work, so each had the chance to send twice');
  });
});
