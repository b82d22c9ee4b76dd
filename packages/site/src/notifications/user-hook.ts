import { spawn } from 'node:child_process';
import type { SiteEvent } from '../site-events.js';

/** What one run of the user hook came to. */
export interface HookRun {
  readonly state: 'succeeded' | 'failed' | 'timed_out';
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The end of what it wrote to stderr, for the log and the history. */
  readonly stderr: string;
  /** Why it could not be started, when it could not. */
  readonly error: string | null;
}

const STDERR_TAIL = 4000;
/** A hook asked to stop at its time limit gets this long before it is killed. */
const KILL_GRACE_MS = 2000;
/** After the hook exits, how long a child it left holding stderr may keep the run open. */
const CLOSE_GRACE_MS = 1000;

/**
 * Runs the administrator's hook after a notification: the executable itself, no shell, the
 * event as JSON on stdin and its kind in KEYWARD_SITE_EVENT. It is stopped at the time limit.
 * Never rejects: a hook that fails is an outcome to record, not a fault of the notification.
 */
export function runUserHook(path: string, timeoutSeconds: number, event: SiteEvent): Promise<HookRun> {
  return new Promise((resolve) => {
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const settle = (run: Omit<HookRun, 'stderr'>) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      resolve({ ...run, stderr: stderr.slice(-STDERR_TAIL) });
    };
    const child = spawn(path, [], {
      stdio: ['pipe', 'ignore', 'pipe'],
      // The hook inherits the server's environment (PATH, HOME) as any program it starts would.
      env: { ...process.env, KEYWARD_SITE_EVENT: event.kind, KEYWARD_SITE_NOTIFICATION_ID: event.id },
    });
    child.on('error', (error) =>
      settle({ state: 'failed', exitCode: null, signal: null, error: error.message }),
    );
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    // A hook that does not read its stdin closes it early; that is its choice, not a failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(event));
    timers.push(
      setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        timers.push(setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS));
      }, timeoutSeconds * 1000),
    );
    const finish = (code: number | null, signal: NodeJS.Signals | null) =>
      settle({
        state: timedOut ? 'timed_out' : code === 0 ? 'succeeded' : 'failed',
        exitCode: code,
        signal,
        error: null,
      });
    child.on('exit', (code, signal) => timers.push(setTimeout(() => finish(code, signal), CLOSE_GRACE_MS)));
    child.on('close', finish);
  });
}
