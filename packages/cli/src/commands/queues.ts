import type { ApiSchema, paths } from '@foreman/api-client';
import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { call } from '../http/api.js';
import { parseDuration, parseInteger } from '../input/options.js';
import { yesNo } from '../output/format.js';
import type { CliIo } from '../output/printer.js';
import { renderTable } from '../output/table.js';

const CLEANABLE = ['completed', 'failed', 'delayed', 'wait', 'paused'];

/** `queues` (depths) and `queue clean|purge|pause|resume <queue>` (admin key). */
export function registerQueueCommands(program: Command, io: CliIo): void {
  program
    .command('queues')
    .description('Every queue with its depth by state and its rates over the last 5 minutes')
    .action(async (_options: object, command: Command) => {
      const ctx = contextOf(io, command);
      const answer = await call(ctx.api.GET('/queues'));
      const count = (state: string) => (queue: QueueJson) => String(queue.counts[state] ?? 0);
      ctx.printer.result(answer, () =>
        renderTable(
          [
            { header: 'queue', value: (queue: QueueJson) => queue.name },
            { header: 'paused', value: (queue) => yesNo(queue.paused) },
            ...['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'].map((state) => ({
              header: state,
              value: count(state),
              align: 'right' as const,
            })),
            { header: 'done/min', value: (queue) => queue.completedPerMinute.toFixed(1), align: 'right' },
            { header: 'failed/min', value: (queue) => queue.failedPerMinute.toFixed(1), align: 'right' },
          ],
          answer.queues,
        ),
      );
    });

  const queue = program.command('queue').description('Act on one queue (admin key)');

  queue
    .command('clean')
    .description('Remove jobs in one state from a queue (finished ones by default); task records stay')
    .argument('<queue>', 'queue name')
    .option('--status <state>', `one of ${CLEANABLE.join(', ')}`, 'completed')
    .option('--grace <duration>', 'keep jobs younger than this (e.g. 1h)', '0')
    .option('--limit <n>', 'most jobs removed (1-100000)', '1000')
    .action(async (name: string, options: CleanOptions, command: Command) => {
      const ctx = contextOf(io, command);
      if (!CLEANABLE.includes(options.status)) {
        throw new UsageError(`--status must be one of ${CLEANABLE.join(', ')} (got "${options.status}")`);
      }
      const body = {
        status: options.status as Cleanable,
        graceMs: parseDuration(options.grace, '--grace'),
        limit: parseInteger(options.limit, '--limit', 1, 100_000),
      };
      const result = await call(ctx.api.POST('/queues/{name}/clean', { params: { path: { name } }, body }));
      ctx.printer.result(
        { queue: name, ...result },
        () => `removed ${result.removed} ${options.status} jobs from ${name}`,
      );
    });

  queue
    .command('purge')
    .description('Cancel every task of a queue that has not started (asks first unless --yes)')
    .argument('<queue>', 'queue name')
    .option('-y, --yes', 'do not ask')
    .option('--limit <n>', 'most tasks cancelled', '100000')
    .action(async (name: string, options: { yes?: boolean; limit: string }, command: Command) => {
      const ctx = contextOf(io, command);
      const limit = parseInteger(options.limit, '--limit', 1, 1_000_000);
      if (!options.yes) {
        if (!io.confirm) {
          throw new UsageError(`Refusing to purge "${name}" without --yes: there is no terminal to ask on`);
        }
        const sure = await io.confirm(`Cancel every task of queue "${name}" that has not started? [y/N] `);
        if (!sure) throw new CliError('ABORTED', `Nothing purged from "${name}"`);
      }
      const result = await call(
        ctx.api.POST('/queues/{name}/purge', { params: { path: { name } }, body: { limit } }),
      );
      ctx.printer.result({ queue: name, ...result }, () => `cancelled ${result.cancelled} tasks of ${name}`);
    });

  for (const [verb, summary] of [
    ['pause', 'Stop workers taking new tasks from a queue'],
    ['resume', 'Let workers take tasks from a queue again'],
  ] as const) {
    queue
      .command(verb)
      .description(summary)
      .argument('<queue>', 'queue name')
      .action(async (name: string, _options: object, command: Command) => {
        const ctx = contextOf(io, command);
        const result = await call(ctx.api.POST(`/queues/{name}/${verb}`, { params: { path: { name } } }));
        ctx.printer.result(result, () => `${result.name} ${result.paused ? 'paused' : 'resumed'}`);
      });
  }
}

type QueueJson = ApiSchema<'Queue'>;
type Cleanable = NonNullable<
  NonNullable<paths['/queues/{name}/clean']['post']['requestBody']>['content']['application/json']
>['status'];

interface CleanOptions {
  status: string;
  grace: string;
  limit: string;
}
