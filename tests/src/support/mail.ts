import { type ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import type { MailAttachment, OutgoingMail } from '@keyward/core';
import type { RunningServer } from '@keyward/server';
import { KEYWARD } from './cli.js';

export const FROM = 'Acme Licensing <licensing@acme.example>';
export const UPGRADE_FILE = Buffer.concat([
  Buffer.from('KEYWARD UPDATE\r\n'),
  Buffer.from([0, 1, 2, 250, 255]),
]);
export const ATTACHMENT: MailAttachment = {
  filename: 'KeyUpgrade-2PL8V.dat',
  contentType: 'application/octet-stream',
  content: UPGRADE_FILE.toString('base64'),
};

/** A mail as the order work composes it. */
export function outgoing(subject: string, attachments: readonly MailAttachment[] = []): OutgoingMail {
  return {
    to: 'dealer@example.com',
    subject,
    text: `Dear dealer,\n\nYour order ORD-1001 is authorized. Grüße aus Köln.\n\n${subject}\n`,
    attachments,
  };
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls `probe` until it gives a value: the job runner works on its own time. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function outboxRow(server: RunningServer, id: string) {
  return server.context.db
    .selectFrom('mail_outbox')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A `keyward server start` process; resolves with what it printed once it is listening (its JSON, or its Mail line). */
export function startServerProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; output: string }> {
  const child = spawn(process.execPath, [KEYWARD, 'server', 'start', '--port', '0', ...args], {
    env: { PATH: process.env.PATH, HOME: tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolvePromise, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/^Mail: .*\n/m.test(output) || isJson(output)) resolvePromise({ child, output });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

export async function stopServerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}
