import { createRequire } from 'node:module';
import { keywardError } from '@keyward/core';
import { Command, CommanderError } from 'commander';
import { printFailure } from './output.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/**
 * End users run `keyward key` at every start of their application: it loads the key status
 * utility alone, not the vendor and site servers (Fastify, Kysely, the SQLite binding) that
 * `server`, `admin` and `site` need, which would be most of its start-up time.
 */
async function commandGroups(args: readonly string[]): Promise<Command[]> {
  const group = args.find((argument) => !argument.startsWith('-'));
  const key = import('./commands/key.js').then((module) => module.keyCommand);
  if (group === 'key') return [await key];
  const [server, admin, site] = await Promise.all([
    import('./commands/server.js').then((module) => module.serverCommand),
    import('./commands/admin.js').then((module) => module.adminCommand),
    import('./commands/site.js').then((module) => module.siteCommand),
  ]);
  return [server, admin, await key, site];
}

/** Usage errors too are refusals: with --json they are printed as JSON, like every other. */
function quietUsageErrors(command: Command, json: boolean): void {
  command.exitOverride().configureOutput({ outputError: (text, write) => (json ? undefined : write(text)) });
  for (const sub of command.commands) quietUsageErrors(sub, json);
}

/**
 * The whole command line, parsed by commander. A usage error sets the exit code (printed as a
 * refusal with --json); a refusal (`CommandFailure`) or a bug is thrown to `bin.ts`.
 */
export async function runProgram(argv: readonly string[], json: boolean): Promise<void> {
  const program = new Command('keyward')
    .description('Keyward: license lifecycle for software vendors.')
    .version(version);
  for (const group of await commandGroups(argv.slice(2))) program.addCommand(group);
  quietUsageErrors(program, json);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const usage =
      error.exitCode !== 0 && !error.code.startsWith('commander.help') && error.code !== 'commander.version';
    if (usage && json)
      printFailure(keywardError('VALIDATION_FAILED', error.message.replace(/^error: /, '')), true);
    process.exitCode = error.exitCode;
  }
}
