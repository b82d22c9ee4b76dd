import { keywardError } from '@keyward/core/license-container';
import { keyStatusRequest } from './key-options.js';
import { CommandFailure, output, printFailure } from './output.js';

const json = process.argv.includes('--json');
// `keyward key status` runs at every start of an application: in its plain forms it goes
// straight to its action, without the command-line parser and the tree of every other command.
const keyStatus = keyStatusRequest(process.argv.slice(2));

try {
  if (keyStatus !== undefined) {
    const { showKeyStatus } = await import('./commands/key-status.js');
    await showKeyStatus(keyStatus, output(keyStatus.json));
  } else {
    const { runProgram } = await import('./program.js');
    await runProgram(process.argv, json);
  }
} catch (error) {
  if (error instanceof CommandFailure) {
    printFailure(error.error, json);
  } else {
    printFailure(
      keywardError('INTERNAL_ERROR', error instanceof Error ? error.message : String(error)),
      json,
    );
  }
  process.exitCode = 1;
}
