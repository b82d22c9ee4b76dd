import type { SendMailOptions } from 'nodemailer';
import type { QueuedMail } from './mail-outbox.js';

/** The domain of a From address ("Name <box@domain>" or box@domain). */
function domainOf(from: string): string {
  return /@([^\s@<>]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
}

/**
 * The RFC 822 message of a queued mail. Its Message-ID and Date come from the outbox row, not from
 * the moment of sending: a mail sent again after a crash is the same message, which mail clients
 * show once.
 */
export function mailMessage(mail: QueuedMail, from: string): SendMailOptions {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    date: new Date(mail.createdAt),
    messageId: `<${mail.id}@${domainOf(from)}>`,
    attachments: mail.attachments.map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: attachment.content,
      encoding: 'base64',
    })),
  };
}
