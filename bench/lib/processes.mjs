import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const KEYWARD = resolve('packages/cli/bin/keyward.js');

/** Starts a process that prints one JSON document on stdout when ready; resolves with it. */
export function startJsonProcess(args, options = {}) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
  return new Promise((resolvePromise, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk.toString();
      try {
        resolvePromise({ child, ready: JSON.parse(text) });
      } catch {
        // Not the whole document yet.
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

/** The vendor server on a free port; `batchSigning: 'off'` signs every answer on its own. */
export function startVendor(dataDir, { batchSigning = 'on' } = {}) {
  return startJsonProcess([
    KEYWARD,
    'server',
    'start',
    '--port',
    '0',
    '--json',
    '--log-level',
    'silent',
    '--data-dir',
    dataDir,
    '--batch-signing',
    batchSigning,
  ]);
}

export async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolvePromise) => child.once('exit', resolvePromise));
  child.kill('SIGTERM');
  await exited;
}
