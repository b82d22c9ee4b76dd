import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The envelope's recipients (RCPT TO), which may differ from the To header. */
  readonly recipients: readonly string[];
  readonly sender: string;
  readonly raw: Buffer;
  readonly parsed: ParsedMail;
}

export const SMTP_USER = 'keyward';
export const SMTP_PASSWORD = 'mail-secret';

/**
 * A real SMTP server on loopback (plain text, with a login): records every mail it accepts. It can
 * be stopped and started again on the same port, as a mail server that goes down and comes back.
 */
export async function smtpReceiver() {
  const received: ReceivedMail[] = [];
  const stalled: ReceivedMail[] = [];
  let stalls = 0;
  let server: SMTPServer | undefined;
  let port = 0;

  const start = async () => {
    const listening = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD)
          callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              const mail = {
                recipients: session.envelope.rcptTo.map((address) => address.address),
                sender: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
                raw,
                parsed,
              };
              if (stalls > 0) {
                // Never answered: the sender waits for the server's acceptance that does not come.
                stalls -= 1;
                stalled.push(mail);
                return;
              }
              received.push(mail);
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    await new Promise<void>((resolve) => listening.listen(port, '127.0.0.1', resolve));
    port = (listening.server.address() as AddressInfo).port;
    server = listening;
  };
  await start();

  const stop = async () => {
    const listening = server;
    server = undefined;
    if (listening !== undefined) await new Promise<void>((resolve) => listening.close(() => resolve()));
  };

  return {
    url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`,
    received,
    stalled,
    /** The next `count` mails are read but never accepted or refused. */
    stall(count: number) {
      stalls = count;
    },
    /** Waits until a mail matching `match` has arrived. */
    async waitFor(match: (mail: ReceivedMail) => boolean, timeoutMs = 15_000): Promise<ReceivedMail> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(match);
        if (found !== undefined) return found;
        if (Date.now() > end) {
          throw new Error(
            `No matching mail within ${timeoutMs} ms; got ${received.map((mail) => mail.parsed.subject).join(' | ')}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    /** Stops listening: connections are refused, as by a mail server that is down. */
    stop,
    /** Listens again on the same port. */
    start,
    close: stop,
  };
}
