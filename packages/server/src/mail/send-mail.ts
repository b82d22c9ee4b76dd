import type { FastifyBaseLogger } from 'fastify';
import type { Job } from '../jobs/job-queue.js';
import type { MailOutbox } from './mail-outbox.js';
import type { MailTransport } from './mail-transport.js';

/**
 * How long a process holds a mail it is sending. Longer than any SMTP conversation the transport
 * allows, so that only the claim of a process that stopped runs out.
 */
const SEND_HOLD_MS = 5 * 60_000;

/**
 * The job of one try at sending one mail of the outbox.
 *
 * What it guarantees: a mail is handed to the mail server once, however many processes run jobs,
 * because a try first claims the mail with a conditional update and only the holder sends it and
 * records the outcome. A mail server that refuses or cannot be reached fails the try, and the
 * next one is queued with the failure, after the retry delay; there is no last try. The one case
 * of a second sending: a process that stops (or loses its database) after the server accepted the
 * mail but before it recorded that, one short update later. Its claim runs out, and another
 * process sends the mail again, with the same Message-ID, so mail clients show it once.
 */
export function sendMail(
  outbox: MailOutbox,
  transport: MailTransport,
  now: () => Date,
  log: FastifyBaseLogger,
) {
  return async (job: Job): Promise<void> => {
    const { mailId } = job.payload as { mailId: string };
    const claim = await outbox.claim(mailId, now(), SEND_HOLD_MS);
    // Another process holds the mail: failing this run has the job runner look again later, in
    // case that process stopped and its claim runs out.
    if (claim === 'held') throw new Error(`Mail ${mailId} is being sent by another process.`);
    // Sent already, or a later try is queued for it.
    if (typeof claim === 'string') return;
    if (claim.takenOver) {
      log.warn(
        { mailId, attempt: claim.attempt },
        'mail taken over from a process that stopped while sending it',
      );
    }
    try {
      await transport.send(claim.mail);
    } catch (failure) {
      const message = failure instanceof Error ? failure.message : String(failure);
      const next = await outbox.recordFailure(claim, now(), message);
      log.warn(
        { mailId, attempt: claim.attempt, err: message, nextAttemptAt: next?.toISOString() },
        'mail not sent; it will be tried again',
      );
      return;
    }
    if (!(await outbox.markSent(mailId, claim.token, now()))) {
      log.warn({ mailId }, 'mail sent after its claim ran out; another process may send it too');
    }
  };
}
