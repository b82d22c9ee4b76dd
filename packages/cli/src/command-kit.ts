import { readFile } from 'node:fs/promises';
import { keywardError } from '@keyward/core';
import { Command, InvalidArgumentError } from 'commander';
import { fail, type Output, output } from './output.js';

export { fail, unwrap } from './output.js';

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

/** A query string of the parameters given, empty when none is. */
export function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter(
    (entry): entry is [string, string | number] => entry[1] !== undefined,
  );
  return entries.length === 0
    ? ''
    : `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
}

/** The flags of a list that may show archived records, and what they ask the API for. */
export interface ArchivedFlags {
  archived?: boolean;
  includeArchived?: boolean;
}

export function withArchivedFlags(command: Command): Command {
  return command
    .option('--archived', 'only the archived ones')
    .option('--include-archived', 'the archived ones too');
}

export function archivedQuery(flags: ArchivedFlags): 'only' | 'include' | undefined {
  if (flags.archived === true && flags.includeArchived === true)
    usage('Give --archived (only archived) or --include-archived (all), not both.');
  return flags.archived === true ? 'only' : flags.includeArchived === true ? 'include' : undefined;
}

/** " (archived)" after a record the vendor archived. */
export const archivedMark = (record: { readonly archivedAt: string | null }) =>
  record.archivedAt === null ? '' : ' (archived)';

export function integer(name: string, minimum: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < minimum)
      throw new InvalidArgumentError(`${name} must be a whole number >= ${minimum}.`);
    return value;
  };
}

/** Reads a file a user named, ending the command with a sentence when it cannot be read. */
export async function readUserFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    return fail(keywardError('VALIDATION_FAILED', `The ${what} ${path} ${reason}.`));
  }
}

/**
 * An expiry as a person gives it: a plain date means "valid through that day" (the license
 * expires when the next day begins, UTC); a full ISO date-time is taken as it is.
 */
export function expiryOf(flag: string, text: string): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day !== null) {
    const start = new Date(`${text}T00:00:00.000Z`);
    if (Number.isNaN(start.getTime()) || start.toISOString().slice(0, 10) !== text)
      usage(`${flag} "${text}" is not a date.`);
    return new Date(start.getTime() + 86_400_000).toISOString();
  }
  const instant = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(instant.getTime())) {
    usage(`${flag} "${text}" is not a date: write YYYY-MM-DD or an ISO date-time.`);
  }
  return instant.toISOString();
}

/**
 * Closes a running server on SIGINT or SIGTERM, then exits. Called before the ready output is
 * printed: a supervisor that reads it may signal at once, before the next statement runs.
 */
export function closeOnSignals(close: () => Promise<void>): void {
  const stop = async () => {
    await close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
