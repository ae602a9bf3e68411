import type { TaskEvent } from '@foreman/api-client';
import type { Command } from 'commander';
import { type CommandContext, contextOf } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { call } from '../http/api.js';
import { readSse } from '../http/sse.js';
import { parseInteger } from '../input/options.js';
import { formatTime } from '../output/format.js';
import type { CliIo } from '../output/printer.js';

/** Events that end a task: `events --task` stops at the first of them. */
const TASK_ENDS = new Set(['completed', 'failed', 'cancelled']);
const RECONNECT_MAX_MS = 5_000;

interface EventOptions {
  task?: string;
  workflow?: string;
  user?: string;
  from?: string;
  count?: string;
}

/** `events`: the api's live stream of task events, resumed after an interruption. */
export function registerEventCommands(program: Command, io: CliIo): void {
  program
    .command('events')
    .description(
      'Follow task events live: submitted, started, progress, retrying, completed, failed, cancelled',
    )
    .option('--task <id>', 'one task’s events; stops after its end (completed, failed or cancelled)')
    .option('--workflow <id>', 'the events of one workflow run’s nodes')
    .option('--user <id>', 'admin keys: one user’s')
    .option('--from <eventId>', 'start after this event id; 0-0 replays all the stream still keeps')
    .option('--count <n>', 'stop after this many events')
    .action(async (options: EventOptions, command: Command) => {
      await follow(contextOf(io, command), options);
    });
}

async function follow(ctx: CommandContext, options: EventOptions): Promise<void> {
  const count =
    options.count === undefined ? undefined : parseInteger(options.count, '--count', 1, 1_000_000);
  const query = { taskId: options.task, workflowId: options.workflow, userId: options.user };
  let position = options.from;
  let seen = 0;
  let connected = false;
  let retryMs = 250;
  for (;;) {
    let body: ReadableStream<Uint8Array> | null;
    try {
      body = await call(
        ctx.api.GET('/events', {
          params: { query },
          headers: { accept: 'text/event-stream', ...(position ? { 'last-event-id': position } : {}) },
          parseAs: 'stream',
        }),
      );
    } catch (error) {
      // Once the stream has worked, an api that went away is waited for; refusals end the command.
      if (!connected || !(error instanceof CliError) || error.exitCode !== EXIT.unreachable) throw error;
      await sleep(retryMs);
      retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
      continue;
    }
    if (!body) throw new CliError('API_ANSWER_INVALID', 'The api answered /events without a stream');
    connected = true;
    retryMs = 250;
    try {
      for await (const message of readSse(body)) {
        if (message.id) position = message.id;
        if (message.event === 'ready') {
          ctx.printer.note(`following events from ${position ?? 'now'} (Ctrl-C stops)`);
          continue;
        }
        const event = JSON.parse(message.data) as Omit<TaskEvent, 'id'>;
        ctx.printer.line({ id: message.id, ...event }, () => describe(event));
        seen += 1;
        if (count !== undefined && seen >= count) return;
        if (options.task && TASK_ENDS.has(event.type)) return;
      }
    } catch {
      // The connection dropped mid-stream: resume from the last event seen.
    }
    ctx.printer.note(`event stream interrupted; resuming after ${position ?? 'now'}`);
  }
}

function describe(event: Omit<TaskEvent, 'id'>): string {
  const parts = [formatTime(event.at), event.type.padEnd(9), event.taskId, event.taskName];
  if (event.percent !== undefined) parts.push(`${event.percent}%`);
  if (event.message) parts.push(event.message);
  if (event.error) parts.push(`error: ${event.error}`);
  if (event.workflowId) parts.push(`(workflow ${event.workflowId})`);
  return parts.join('  ');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
