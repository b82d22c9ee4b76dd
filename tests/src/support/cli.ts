import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const KEYWARD = resolve('packages/cli/bin/keyward.js');

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The keyward command as a user runs it: a new process, settings from flags and environment. */
export async function keyward(args: string[], env: Record<string, string>): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(process.execPath, [KEYWARD, ...args], {
      env: { PATH: process.env.PATH, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A command that must succeed, its JSON answer. */
export async function json<T>(args: string[], env: Record<string, string>): Promise<T> {
  const ran = await keyward([...args, '--json'], env);
  assert.equal(ran.code, 0, ran.stderr);
  return JSON.parse(ran.stdout) as T;
}

/** A command that must be refused, its error code. */
export async function refusal(args: string[], env: Record<string, string>): Promise<string> {
  const ran = await keyward([...args, '--json'], env);
  assert.equal(ran.code, 1, ran.stdout);
  return (JSON.parse(ran.stderr) as { error: { code: string } }).error.code;
}
