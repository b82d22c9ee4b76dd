import { type ChildProcess, spawn } from 'node:child_process';
import { KEYWARD } from './cli.js';

/** What `keyward site start --json` prints. */
export interface StartedSite {
  readonly url: string;
  readonly siteKey: string;
  readonly adminToken: string | null;
  readonly certificate: { readonly siteId: string } | null;
}

/** `keyward site start` as an operator runs it, in its own process; resolves with its one JSON document. */
export function startSiteProcess(dataDir: string): { process: ChildProcess; started: Promise<StartedSite> } {
  const child = spawn(
    process.execPath,
    [KEYWARD, 'site', 'start', '--port', '0', '--json', '--log-level', 'silent', '--data-dir', dataDir],
    { env: { PATH: process.env.PATH, HOME: dataDir } },
  );
  const started = new Promise<StartedSite>((resolvePromise, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      try {
        resolvePromise(JSON.parse(text) as StartedSite);
      } catch {
        // Not the whole document yet.
      }
    });
    child.once('exit', (code) => reject(new Error(`site server exited with ${code}`)));
  });
  return { process: child, started };
}

export async function stopSiteProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolvePromise) => child.once('exit', resolvePromise));
}
