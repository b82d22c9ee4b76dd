/**
 * An e-mail the vendor server sends (order authorized, upgrade file, reminders, expiry): composed
 * by pure functions, queued in the outbox with the change that causes it, sent by a job.
 */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  /** Plain text: the body every mail client shows. */
  readonly text: string;
  readonly attachments: readonly MailAttachment[];
}

export interface MailAttachment {
  readonly filename: string;
  readonly contentType: string;
  /** The attachment's bytes, base64. */
  readonly content: string;
}
