import { ConfigError } from '@foreman/config';
import { CommanderError } from 'commander';
import { CliError, EXIT, type ExitCode } from './errors.js';
import { type CliIo, Printer } from './output/printer.js';
import { createProgram } from './program.js';

/**
 * Runs one cli invocation (`argv` without node and the script) and returns its exit code. Results
 * go to `io.stdout`; errors to `io.stderr`, in the api's error shape with `--json`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const program = createProgram(io);
  // Known before parsing, so even a parse failure is reported in the asked-for shape.
  const printer = new Printer(io, argv.includes('--json'));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander printed the message (or the help, or the version) already.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const failure = toCliError(error);
    printer.error(failure);
    return failure.exitCode;
  }
}

function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ConfigError) {
    return new CliError(error.code, error.message, EXIT.usage, error.issues);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError('INTERNAL', message);
}
