import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailSettings } from '@keyward/core';
import { createTransport } from 'nodemailer';
import { mailMessage } from './mail-message.js';
import type { QueuedMail } from './mail-outbox.js';

/** Where the outbox's mails go: an SMTP server, or .eml files. */
export interface MailTransport {
  /** Resolves once the mail server accepted the mail (or the file is on disk); rejects with the reason otherwise. */
  send(mail: QueuedMail): Promise<void>;
  close(): void;
}

/**
 * Bounds on each stage of an SMTP conversation. They keep a send well inside the claim a process
 * holds on the mail (`SEND_HOLD_MS`), so another process takes a mail over only from a process
 * that stopped, not from one still talking to a slow server.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

function smtpTransport(url: string, from: string): MailTransport {
  const transport = createTransport({ url, ...SMTP_TIMEOUTS });
  return {
    async send(mail) {
      await transport.sendMail(mailMessage(mail, from));
    },
    close: () => transport.close(),
  };
}

/**
 * Mails as .eml files (RFC 822 with CRLF line ends, as mail clients open them), one per mail and
 * named by its id: writing one again replaces it. Written to a temporary name, flushed, then
 * renamed, so a file that exists is whole.
 */
function fileTransport(dir: string, from: string): MailTransport {
  const composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async send(mail) {
      const { message } = await composer.sendMail(mailMessage(mail, from));
      await mkdir(dir, { recursive: true });
      const name = `${mail.createdAt.replace(/[-:]|\.\d+/g, '')}-${mail.id}.eml`;
      const temporary = join(dir, `.${name}.tmp`);
      const file = await open(temporary, 'w');
      try {
        await file.writeFile(message as Buffer);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, join(dir, name));
    },
    close: () => composer.close(),
  };
}

export function openMailTransport(settings: MailSettings): MailTransport {
  return settings.transport === 'smtp'
    ? smtpTransport(settings.url, settings.from)
    : fileTransport(settings.dir, settings.from);
}
