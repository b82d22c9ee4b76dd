import { createRequire } from 'node:module';
import { keywardError } from '@keyward/core';
import { Command, CommanderError } from 'commander';
import { adminCommand } from './commands/admin.js';
import { keyCommand } from './commands/key.js';
import { serverCommand } from './commands/server.js';
import { siteCommand } from './commands/site.js';
import { CommandFailure, printFailure } from './output.js';

const json = process.argv.includes('--json');
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const program = new Command('keyward')
  .description('Keyward: license lifecycle for software vendors.')
  .version(version)
  .addCommand(serverCommand)
  .addCommand(adminCommand)
  .addCommand(keyCommand)
  .addCommand(siteCommand);

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
