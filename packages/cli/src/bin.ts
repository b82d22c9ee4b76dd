import { keywardError } from '@keyward/core';
import { Command, CommanderError } from 'commander';
import { adminCommand } from './commands/admin.js';
import { keyCommand } from './commands/key.js';
import { serverCommand } from './commands/server.js';
import { CommandFailure, printFailure } from './output.js';

const program = new Command('keyward')
  .description('Keyward: licence lifecycle for software vendors.')
  .addCommand(serverCommand)
  .addCommand(adminCommand)
  .addCommand(keyCommand);

const json = process.argv.includes('--json');
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommandFailure) {
    printFailure(error.error, json);
    process.exitCode = 1;
  } else if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    printFailure(
      keywardError('INTERNAL_ERROR', error instanceof Error ? error.message : String(error)),
      json,
    );
    process.exitCode = 1;
  }
}
