import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailSettings } from '@keyward/core';
import { createTransport, type SendMailOptions } from 'nodemailer';
import type { SiteEvent } from '../site-events.js';
import { notificationMail } from './notification-mail.js';

/** Sends a notification's mail: through an SMTP server, or as an .eml file. */
export interface MailSender {
  /** Resolves once the server accepted the mail (or the file is whole on disk); rejects with the reason. */
  send(event: SiteEvent, to: readonly string[]): Promise<void>;
  close(): void;
}

/** Bounds on an SMTP conversation, so a mail server that stops answering does not hold the outbox. */
const SMTP_TIMEOUTS = { connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 30_000 };

function domainOf(from: string): string {
  return /@([^\s@<>]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
}

/** The message; its Message-ID is the notification's, so a mail sent again after a crash shows once. */
function message(event: SiteEvent, to: readonly string[], from: string): SendMailOptions {
  const mail = notificationMail(event);
  return {
    from,
    to: [...to],
    subject: mail.subject,
    text: mail.text,
    date: new Date(event.occurredAt),
    messageId: `<${event.id}@${domainOf(from)}>`,
    headers: { 'X-Keyward-Event': event.kind },
  };
}

function smtpSender(url: string, from: string): MailSender {
  const transport = createTransport({ url, ...SMTP_TIMEOUTS });
  return {
    async send(event, to) {
      await transport.sendMail(message(event, to, from));
    },
    close: () => transport.close(),
  };
}

/** .eml files named by the notification, written to a temporary name, flushed, then renamed. */
function fileSender(dir: string, from: string): MailSender {
  const composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async send(event, to) {
      const { message: bytes } = await composer.sendMail(message(event, to, from));
      await mkdir(dir, { recursive: true });
      const name = `${event.occurredAt.replace(/[-:]|\.\d+/g, '')}-${event.id}.eml`;
      const temporary = join(dir, `.${name}.tmp`);
      const file = await open(temporary, 'w');
      try {
        await file.writeFile(bytes as Buffer);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, join(dir, name));
    },
    close: () => composer.close(),
  };
}

export function openMailSender(settings: MailSettings): MailSender {
  return settings.transport === 'smtp'
    ? smtpSender(settings.url, settings.from)
    : fileSender(settings.dir, settings.from);
}
