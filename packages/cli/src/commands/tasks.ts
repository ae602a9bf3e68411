import type { Command } from 'commander';
import { type CommandContext, contextOf } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { call } from '../http/api.js';
import { parseDuration, parseInteger, parseTime } from '../input/options.js';
import { readPayload } from '../input/payload.js';
import { compactJson, formatDuration, formatTime, truncate } from '../output/format.js';
import type { CliIo } from '../output/printer.js';
import { renderFields, renderTable } from '../output/table.js';
import type { SubmittedJson, TaskJson } from './api-types.js';

const STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'];

/** submit, status, list, cancel and retry of tasks. */
export function registerTaskCommands(program: Command, io: CliIo): void {
  program
    .command('submit')
    .description('Submit a task; prints its id')
    .argument('<task>', 'task name, e.g. maintenance.health_check')
    .option('-p, --payload <json>', 'payload: JSON, @file.json, or - for standard input', undefined)
    .option('--priority <n>', '1 is the most urgent; 0 plain FIFO')
    .option('--delay <duration>', 'run no earlier than this from now (30s, 5m, 2h)')
    .option('--user <id>', 'admin keys: submit on behalf of this user')
    .option('--wait', 'wait for the task to end and print its record; exit 1 unless it completed')
    .option('--wait-timeout <duration>', 'with --wait: give up after this long (exit 1)', '10m')
    .option('-q, --quiet', 'print the task id alone, e.g. for task=$(foreman submit … -q)')
    .action(async (task: string, options: SubmitOptions, command: Command) => {
      const ctx = contextOf(io, command);
      if (options.quiet && ctx.printer.json) throw new UsageError('--quiet and --json: choose one');
      const waitMs = parseDuration(options.waitTimeout, '--wait-timeout');
      const payload = await readPayload(options.payload, io.readStdin);
      const query = {
        priority:
          options.priority === undefined
            ? undefined
            : // BullMQ's bound, MAX_PRIORITY of @foreman/core (not a dependency of the cli).
              parseInteger(options.priority, '--priority', 0, 2_097_151),
        delayMs: options.delay === undefined ? undefined : parseDuration(options.delay, '--delay'),
        userId: options.user,
      };
      const submitted = await call(
        ctx.api.POST('/tasks/{name}', {
          params: { path: { name: task }, query },
          body: payload as Record<string, unknown>,
        }),
      );
      if (!options.wait) {
        ctx.printer.result(submitted, () => (options.quiet ? submitted.taskId : renderSubmitted(submitted)));
        return;
      }
      if (!options.quiet) ctx.printer.note(`submitted ${submitted.taskId}; waiting for it to end`);
      const ended = await waitForEnd(ctx, submitted.taskId, waitMs);
      ctx.printer.result(ended, () => (options.quiet ? ended.id : renderTask(ended)));
      if (ended.status !== 'completed') {
        throw new CliError(
          `TASK_${ended.status.toUpperCase()}`,
          `Task ${ended.id} ${ended.status}${ended.error ? `: ${ended.error}` : ''}`,
        );
      }
    });

  program
    .command('status')
    .description('One task: status, attempts, timings, progress, result or error')
    .argument('<id>', 'task id')
    .action(async (id: string, _options: object, command: Command) => {
      const ctx = contextOf(io, command);
      const task = await readTask(ctx, id);
      ctx.printer.result(task, () => renderTask(task));
    });

  program
    .command('list')
    .description('Tasks, newest first, one page at a time')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`)
    .option('--task <name>', 'task name')
    .option('--queue <name>', 'queue')
    .option('--user <id>', 'admin keys: this user’s tasks only')
    .option('--since <time>', 'created at or after: ISO time, or an age like 1h or 2d')
    .option('--until <time>', 'created before: ISO time, or an age')
    .option('--limit <n>', 'tasks per page (1-200)', '50')
    .option('--cursor <cursor>', 'the next page, as printed after the previous one')
    .option(
      '--search <text>',
      'tasks with every word in their id, name, error, payload or result ("a phrase", -word to exclude)',
    )
    .option(
      '--where <payload.field=value>',
      'tasks whose payload holds value at that field, e.g. payload.user.id=42 (repeatable)',
      (filter: string, filters: string[]) => [...filters, filter],
      [],
    )
    .action(async (options: ListOptions, command: Command) => {
      await listTasks(contextOf(io, command), options);
    });

  program
    .command('cancel')
    .description('Cancel a task: a waiting one at once, a running one by aborting its handler')
    .argument('<id>', 'task id')
    .action(async (id: string, _options: object, command: Command) => {
      const ctx = contextOf(io, command);
      const result = await call(ctx.api.POST('/tasks/{id}/cancel', { params: { path: { id } } }));
      ctx.printer.result(result, () =>
        result.status === 'cancelled'
          ? `cancelled ${result.taskId} (it was ${result.was})`
          : `cancelling ${result.taskId}: it was ${result.was}, its worker was told to stop it`,
      );
    });

  program
    .command('retry')
    .description('Run a failed or cancelled task again with fresh attempts')
    .argument('<id>', 'task id')
    .action(async (id: string, _options: object, command: Command) => {
      const ctx = contextOf(io, command);
      const submitted = await call(ctx.api.POST('/tasks/{id}/retry', { params: { path: { id } } }));
      ctx.printer.result(submitted, () => renderSubmitted(submitted));
    });
}

const ENDED = new Set(['completed', 'failed', 'cancelled']);
const POLL_MS = 300;

/** Polls the task's record until it has ended (completed, failed for good, or cancelled). */
async function waitForEnd(ctx: CommandContext, taskId: string, timeoutMs: number): Promise<TaskJson> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const task = await readTask(ctx, taskId);
    if (ENDED.has(task.status)) return task;
    if (Date.now() >= until) {
      throw new CliError(
        'WAIT_TIMEOUT',
        `Task ${taskId} is still ${task.status} after ${formatDuration(timeoutMs)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const readTask = (ctx: CommandContext, id: string) =>
  call(ctx.api.GET('/tasks/{id}', { params: { path: { id } } }));

interface SubmitOptions {
  wait?: boolean;
  quiet?: boolean;
  waitTimeout: string;
  payload?: string;
  priority?: string;
  delay?: string;
  user?: string;
}

interface ListOptions {
  status?: string;
  task?: string;
  queue?: string;
  user?: string;
  since?: string;
  until?: string;
  limit: string;
  cursor?: string;
  search?: string;
  where: string[];
}

async function listTasks(ctx: CommandContext, options: ListOptions): Promise<void> {
  const query = {
    status: options.status as TaskJson['status'] | undefined,
    name: options.task,
    queue: options.queue,
    userId: options.user,
    from: options.since === undefined ? undefined : parseTime(options.since, '--since'),
    to: options.until === undefined ? undefined : parseTime(options.until, '--until'),
    limit: parseInteger(options.limit, '--limit', 1, 200),
    cursor: options.cursor,
    q: options.search,
    // Payload filters are open-ended parameters the api's document cannot list.
    ...Object.fromEntries(options.where.map(payloadFilter)),
  };
  const page = await call(ctx.api.GET('/tasks', { params: { query } }));
  ctx.printer.result(page, () =>
    renderTable(
      [
        { header: 'id', value: (task: TaskJson) => task.id },
        { header: 'task', value: (task) => task.name },
        { header: 'status', value: (task) => task.status },
        { header: 'user', value: (task) => task.userId ?? '-' },
        { header: 'attempts', value: (task) => String(task.attempts), align: 'right' },
        { header: 'created', value: (task) => formatTime(task.createdAt) },
        { header: 'duration', value: (task) => formatDuration(task.durationMs), align: 'right' },
      ],
      page.tasks,
    ),
  );
  if (page.nextCursor) ctx.printer.note(`more: --cursor ${page.nextCursor}`);
}

/** `payload.to=a@b.c` as the query parameter it is; the api checks the field path. */
function payloadFilter(filter: string): [string, string] {
  const split = filter.indexOf('=');
  if (!filter.startsWith('payload.') || split < 0) {
    throw new UsageError(`--where must be payload.<field>=<value> (got "${filter}")`);
  }
  return [filter.slice(0, split), filter.slice(split + 1)];
}

/** A submitted task; a replayed dead letter also names the task it replays. */
export const renderSubmitted = (submitted: SubmittedJson & { replayOf?: string }): string =>
  renderFields([
    ['task id', submitted.taskId],
    ['task', submitted.name],
    ['queue', submitted.queue],
    ['status', submitted.status],
    ['replay of', submitted.replayOf],
  ]);

function renderTask(task: TaskJson): string {
  const progress =
    task.progress === null
      ? undefined
      : `${task.progress}%${task.progressMessage ? ` ${task.progressMessage}` : ''}`;
  return renderFields([
    ['id', task.id],
    ['task', task.name],
    ['queue', task.queue],
    ['status', task.status],
    ['user', task.userId ?? '-'],
    ['priority', String(task.priority)],
    ['attempts', `${task.attempts} of ${task.maxRetries + 1}`],
    ['created', formatTime(task.createdAt)],
    ['started', task.startedAt ? formatTime(task.startedAt) : undefined],
    ['completed', task.completedAt ? formatTime(task.completedAt) : undefined],
    ['waited', task.waitMs === null ? undefined : formatDuration(task.waitMs)],
    ['ran', task.durationMs === null ? undefined : formatDuration(task.durationMs)],
    ['progress', progress],
    ['replay of', task.replayOf ?? undefined],
    ['trace', task.traceId ?? undefined],
    ['payload', truncate(compactJson(task.payload), 400)],
    [
      'result',
      task.result === null || task.result === undefined ? undefined : truncate(compactJson(task.result), 400),
    ],
    ['error', task.error ?? undefined],
  ]);
}
