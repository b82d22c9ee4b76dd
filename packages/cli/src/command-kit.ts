import { readFile } from 'node:fs/promises';
import { type KeywardError, keywardError, type Result } from '@keyward/core';
import { Command, InvalidArgumentError } from 'commander';
import { CommandFailure, type Output, output } from './output.js';

/** The value of a result, or the end of the command with its refusal. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new CommandFailure(result.error);
  return result.value;
}

export function fail(error: KeywardError): never {
  throw new CommandFailure(error);
}

export function usage(message: string): never {
  fail(keywardError('VALIDATION_FAILED', message));
}

/** A leaf command: every one takes --json. Its action receives its options and an Output. */
export function leaf<O extends object>(
  name: string,
  description: string,
  configure: (command: Command) => Command,
  action: (options: O, out: Output, args: string[]) => Promise<void>,
): Command {
  const command = configure(new Command(name).description(description)).option(
    '--json',
    'print one JSON document',
  );
  command.action(async (...received: unknown[]) => {
    const self = received[received.length - 1] as Command;
    const options = self.optsWithGlobals() as O & { json?: boolean };
    await action(options, output(options.json === true), self.args);
  });
  return command;
}

export function integer(name: string, minimum: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < minimum)
      throw new InvalidArgumentError(`${name} must be a whole number >= ${minimum}.`);
    return value;
  };
}

/** Reads a file a user named, ending the command with a sentence when it cannot be read. */
export async function readUserFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    return fail(keywardError('VALIDATION_FAILED', `The ${what} ${path} ${reason}.`));
  }
}
