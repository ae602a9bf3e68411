import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { UsageError } from '../errors.js';
import { call } from '../http/api.js';
import { parseInteger, parseTime } from '../input/options.js';
import { formatTime, truncate } from '../output/format.js';
import type { CliIo } from '../output/printer.js';
import { renderTable } from '../output/table.js';
import type { DeadLetterJson } from './api-types.js';
import { renderSubmitted } from './tasks.js';

/** `dead-letters list` and `dead-letters replay`: tasks that failed for good, and running them again. */
export function registerDeadLetterCommands(program: Command, io: CliIo): void {
  const group = program
    .command('dead-letters')
    .alias('dlq')
    .description('Tasks that failed for good: list them, replay them');

  group
    .command('list', { isDefault: true })
    .description('Dead letters, newest first')
    .option('--task <name>', 'task name')
    .option('--user <id>', 'admin keys: this user’s only')
    .option('--replayed', 'only those already replayed')
    .option('--not-replayed', 'only those not replayed yet')
    .option('--before <time>', 'failed before: ISO time, or an age like 1h')
    .option('--limit <n>', 'how many (1-200)', '50')
    .action(async (options: ListOptions, command: Command) => {
      const ctx = contextOf(io, command);
      if (options.replayed && options.notReplayed) {
        throw new UsageError('--replayed and --not-replayed exclude each other');
      }
      const replayed = options.replayed ? 'true' : options.notReplayed ? 'false' : undefined;
      const query = {
        name: options.task,
        userId: options.user,
        replayed,
        before: options.before === undefined ? undefined : parseTime(options.before, '--before'),
        limit: parseInteger(options.limit, '--limit', 1, 200),
      } as const;
      const answer = await call(ctx.api.GET('/dead-letters', { params: { query } }));
      ctx.printer.result(answer, () =>
        renderTable(
          [
            { header: 'task id', value: (letter: DeadLetterJson) => letter.taskId },
            { header: 'task', value: (letter) => letter.name },
            { header: 'user', value: (letter) => letter.userId ?? '-' },
            { header: 'attempts', value: (letter) => String(letter.attempts), align: 'right' },
            { header: 'failed', value: (letter) => formatTime(letter.failedAt) },
            { header: 'replayed as', value: (letter) => letter.replayedAs ?? '-' },
            { header: 'error', value: (letter) => truncate(letter.error, 60) },
          ],
          answer.deadLetters,
        ),
      );
    });

  group
    .command('replay')
    .description('Submit a dead task’s payload again as a new task (once); --all for every one not replayed')
    .argument('[taskId]', 'the dead task’s id')
    .option('--all', 'replay every dead letter not replayed yet, oldest first')
    .option('--task <name>', 'with --all: of this task only')
    .option('--user <id>', 'with --all, admin keys: of this user only')
    .option('--limit <n>', 'with --all: at most this many (1-1000)', '100')
    .action(async (taskId: string | undefined, options: ReplayOptions, command: Command) => {
      const ctx = contextOf(io, command);
      if ((taskId === undefined) === (options.all !== true)) {
        throw new UsageError('Give either a task id or --all');
      }
      if (taskId !== undefined) {
        const submitted = await call(
          ctx.api.POST('/dead-letters/{taskId}/replay', { params: { path: { taskId } } }),
        );
        ctx.printer.result(submitted, () => renderSubmitted(submitted));
        return;
      }
      const body = {
        name: options.task,
        userId: options.user,
        limit: parseInteger(options.limit, '--limit', 1, 1_000),
      };
      const result = await call(ctx.api.POST('/dead-letters/replay', { body }));
      ctx.printer.result(result, () =>
        [
          `replayed ${result.replayed.length}, failed ${result.failed.length}`,
          ...(result.replayed.length > 0
            ? [
                renderTable(
                  [
                    { header: 'new task id', value: (task: (typeof result.replayed)[number]) => task.taskId },
                    { header: 'task', value: (task) => task.name },
                    { header: 'queue', value: (task) => task.queue },
                  ],
                  result.replayed,
                ),
              ]
            : []),
          ...result.failed.map((failure) => `not replayed ${failure.taskId}: ${failure.error}`),
        ].join('\n'),
      );
    });
}

interface ListOptions {
  task?: string;
  user?: string;
  replayed?: boolean;
  notReplayed?: boolean;
  before?: string;
  limit: string;
}

interface ReplayOptions {
  all?: boolean;
  task?: string;
  user?: string;
  limit: string;
}
