import { Command } from 'commander';
import { registerDeadLetterCommands } from './commands/dead-letters.js';
import { registerEventCommands } from './commands/events.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerQueueCommands } from './commands/queues.js';
import { registerTaskCommands } from './commands/tasks.js';
import { registerWorkerCommands } from './commands/workers.js';
import type { CliIo } from './output/printer.js';

export const CLI_VERSION = '0.1.0';

/** The `foreman` command tree; parse errors throw (exitOverride) instead of exiting the process. */
export function createProgram(io: CliIo): Command {
  const program = new Command('foreman')
    .description('Operate a Foreman deployment: tasks, dead letters, workers, queues and api keys')
    .version(CLI_VERSION)
    .option('--url <url>', 'api base URL (FOREMAN_URL, default http://127.0.0.1:3000)')
    .option('--key <key>', 'api key (FOREMAN_API_KEY; prefer the variable: flags show in process lists)')
    .option('--json', 'machine-readable JSON on stdout, errors as JSON on stderr')
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) });
  registerTaskCommands(program, io);
  registerEventCommands(program, io);
  registerDeadLetterCommands(program, io);
  registerWorkerCommands(program, io);
  registerQueueCommands(program, io);
  registerKeyCommands(program, io);
  // Every command, nested ones too, throws on bad arguments rather than exiting, and says so plainly.
  const harden = (command: Command) => {
    command.exitOverride();
    command.showHelpAfterError('(add --help for usage)');
    command.configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) });
    for (const sub of command.commands) harden(sub);
  };
  harden(program);
  return program;
}
