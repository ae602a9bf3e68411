import type { ApiSchema } from '@foreman/api-client';
import type { Command } from 'commander';
import { type CommandContext, contextOf } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { call } from '../http/api.js';
import { formatDuration, formatTime, yesNo } from '../output/format.js';
import type { CliIo } from '../output/printer.js';
import { renderTable } from '../output/table.js';

/** `workers list|active|registered|stats|ping`: what runs where (admin keys). */
export function registerWorkerCommands(program: Command, io: CliIo): void {
  const group = program.command('workers').description('Inspect workers (admin key)');
  const action =
    (run: (ctx: CommandContext, args: string[]) => Promise<void>) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      await run(contextOf(io, command), command.args);
    };

  group
    .command('list', { isDefault: true })
    .description('Live worker connections per queue, with their idle time (heartbeat)')
    .action(
      action(async (ctx) => {
        const answer = await call(ctx.api.GET('/workers'));
        ctx.printer.result(answer, () =>
          renderTable(
            [
              { header: 'queue', value: (worker: ApiSchema<'Worker'>) => worker.queue },
              { header: 'id', value: (worker) => worker.id },
              { header: 'address', value: (worker) => worker.address },
              { header: 'up', value: (worker) => formatDuration(worker.ageSeconds * 1_000), align: 'right' },
              {
                header: 'idle',
                value: (worker) => formatDuration(worker.idleSeconds * 1_000),
                align: 'right',
              },
            ],
            answer.workers,
          ),
        );
      }),
    );

  group
    .command('active')
    .description('Tasks running right now')
    .action(
      action(async (ctx) => {
        const answer = await call(ctx.api.GET('/workers/active'));
        ctx.printer.result(answer, () =>
          renderTable(
            [
              { header: 'task id', value: (task: (typeof answer.active)[number]) => task.taskId },
              { header: 'task', value: (task) => task.name },
              { header: 'queue', value: (task) => task.queue },
              { header: 'started', value: (task) => formatTime(task.startedAt) },
              { header: 'progress', value: (task) => progressOf(task.progress), align: 'right' },
            ],
            answer.active,
          ),
        );
      }),
    );

  group
    .command('registered')
    .description('Task types each queue (and so its worker app) runs')
    .action(
      action(async (ctx) => {
        const answer = await call(ctx.api.GET('/workers/registered'));
        const rows = Object.entries(answer.queues).flatMap(([queue, tasks]) =>
          tasks.map((task) => ({ queue, task })),
        );
        ctx.printer.result(answer, () =>
          renderTable(
            [
              { header: 'queue', value: (row: { queue: string; task: string }) => row.queue },
              { header: 'task', value: (row) => row.task },
            ],
            rows,
          ),
        );
      }),
    );

  group
    .command('stats')
    .description('Worker processes (heartbeats), and slots, running and waiting tasks per queue')
    .action(
      action(async (ctx) => {
        const answer = await call(ctx.api.GET('/workers/stats'));
        const queues = Object.entries(answer.queues).map(([queue, stats]) => ({ queue, ...stats }));
        ctx.printer.result(answer, () =>
          [
            renderTable(
              [
                { header: 'queue', value: (row: (typeof queues)[number]) => row.queue },
                { header: 'processes', value: (row) => String(row.processes), align: 'right' },
                { header: 'slots', value: (row) => String(row.slots), align: 'right' },
                { header: 'running', value: (row) => String(row.active), align: 'right' },
                { header: 'waiting', value: (row) => String(row.waiting), align: 'right' },
              ],
              queues,
            ),
            '',
            answer.processes.length === 0
              ? '(no worker heartbeats: workers with metrics beat every 5 s)'
              : renderTable(
                  [
                    { header: 'process', value: (row: (typeof answer.processes)[number]) => row.instance },
                    { header: 'service', value: (row) => row.service },
                    { header: 'queue', value: (row) => row.queue },
                    { header: 'concurrency', value: (row) => String(row.concurrency), align: 'right' },
                    { header: 'last beat', value: (row) => `${row.lastBeatSecondsAgo}s ago`, align: 'right' },
                  ],
                  answer.processes,
                ),
          ].join('\n'),
        );
      }),
    );

  group
    .command('ping')
    .description('How many workers answer on each queue; with queue names, fails unless each has one')
    .argument('[queues...]', 'queues that must have a worker')
    .action(
      action(async (ctx, wanted) => {
        const answer = await call(ctx.api.POST('/workers/ping'));
        const unknown = wanted.filter((queue) => !(queue in answer.queues));
        if (unknown.length > 0) {
          throw new CliError(
            'QUEUE_NOT_FOUND',
            `No queue ${unknown.map((q) => `"${q}"`).join(', ')}`,
            EXIT.notFound,
          );
        }
        const shown = Object.entries(answer.queues)
          .filter(([queue]) => wanted.length === 0 || wanted.includes(queue))
          .map(([queue, state]) => ({ queue, ...state }));
        const result = { queues: Object.fromEntries(shown.map(({ queue, ...state }) => [queue, state])) };
        ctx.printer.result(result, () =>
          renderTable(
            [
              { header: 'queue', value: (row: (typeof shown)[number]) => row.queue },
              { header: 'workers', value: (row) => String(row.workers), align: 'right' },
              { header: 'ok', value: (row) => yesNo(row.ok) },
            ],
            shown,
          ),
        );
        const silent = shown.filter((row) => !row.ok).map((row) => row.queue);
        if (wanted.length > 0 && silent.length > 0) {
          throw new CliError('NO_WORKERS', `No worker answers on ${silent.join(', ')}`);
        }
      }),
    );
}

function progressOf(progress: unknown): string {
  if (typeof progress === 'number') return `${progress}%`;
  if (progress && typeof progress === 'object' && 'percent' in progress) {
    return `${(progress as { percent: unknown }).percent}%`;
  }
  return '-';
}
