import { createRequire } from 'node:module';
import { keywardError } from '@keyward/core';
import { Command, CommanderError } from 'commander';
import { CommandFailure, printFailure } from './output.js';

const json = process.argv.includes('--json');
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/**
 * End users run `keyward key` at every start of their application: it loads the key status
 * utility alone, not the vendor and site servers (Fastify, Kysely, the SQLite binding) that
 * `server`, `admin` and `site` need, which would be most of its start-up time.
 */
async function commandGroups(): Promise<Command[]> {
  const group = process.argv.slice(2).find((argument) => !argument.startsWith('-'));
  const key = import('./commands/key.js').then((module) => module.keyCommand);
  if (group === 'key') return [await key];
  const [server, admin, site] = await Promise.all([
    import('./commands/server.js').then((module) => module.serverCommand),
    import('./commands/admin.js').then((module) => module.adminCommand),
    import('./commands/site.js').then((module) => module.siteCommand),
  ]);
  return [server, admin, await key, site];
}

const program = new Command('keyward')
  .description('Keyward: license lifecycle for software vendors.')
  .version(version);
for (const group of await commandGroups()) program.addCommand(group);

/** Usage errors too are refusals: with --json they are printed as JSON, like every other. */
function quietUsageErrors(command: Command): void {
  command.exitOverride().configureOutput({ outputError: (text, write) => (json ? undefined : write(text)) });
  for (const sub of command.commands) quietUsageErrors(sub);
}
quietUsageErrors(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommandFailure) {
    printFailure(error.error, json);
    process.exitCode = 1;
  } else if (error instanceof CommanderError) {
    const usage =
      error.exitCode !== 0 && !error.code.startsWith('commander.help') && error.code !== 'commander.version';
    if (usage && json)
      printFailure(keywardError('VALIDATION_FAILED', error.message.replace(/^error: /, '')), true);
    process.exitCode = error.exitCode;
  } else {
    printFailure(
      keywardError('INTERNAL_ERROR', error instanceof Error ? error.message : String(error)),
      json,
    );
    process.exitCode = 1;
  }
}
