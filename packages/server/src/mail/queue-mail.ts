import { newId, type OutgoingMail } from '@keyward/core';
import type { Kysely, Transaction } from 'kysely';
import { enqueueJob } from '../jobs/job-queue.js';
import type { VendorDatabase } from '../storage/schema.js';

export const SEND_MAIL_JOB = 'mail.send';

/**
 * The job of one try at sending a mail. Its id names the mail and the try, so each try is queued
 * once however often the step that queues it runs.
 */
export async function enqueueSendMail(
  db: Kysely<VendorDatabase> | Transaction<VendorDatabase>,
  mailId: string,
  attempt: number,
  runAt: Date,
): Promise<void> {
  await enqueueJob(db, {
    id: `job_${mailId}_${attempt}`,
    kind: SEND_MAIL_JOB,
    payload: { mailId },
    runAt,
    // A try only fails as a job when the database or the process does; the mail's own schedule
    // (next_attempt_at) handles a mail server that is down.
    maxAttempts: 50,
  });
}

/**
 * Queues a mail in the outbox, in the caller's transaction: the mail is sent if and only if the
 * change that caused it is committed. Returns the mail's id (`msg_...`).
 */
export async function queueMail(
  db: Kysely<VendorDatabase> | Transaction<VendorDatabase>,
  mail: OutgoingMail,
  at: string,
): Promise<string> {
  const id = newId('msg', Date.parse(at));
  await db
    .insertInto('mail_outbox')
    .values({
      id,
      recipient: mail.to,
      subject: mail.subject,
      text: mail.text,
      attachments: JSON.stringify(mail.attachments),
      state: 'pending',
      next_attempt_at: at,
      created_at: at,
    })
    .execute();
  await enqueueSendMail(db, id, 1, new Date(at));
  return id;
}
