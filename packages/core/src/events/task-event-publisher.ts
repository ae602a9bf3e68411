import type { NewDeadLetter, NewTaskRecord } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import type { ChainableCommander } from 'ioredis';
import type { RedisConnection } from '../redis/create-redis.js';
import { checkWholeNumbers } from '../util/check-options.js';
import { taskEventsStream } from './channels.js';
import type { TaskEvent } from './task-event.js';

/** An event to append; `at` defaults to now. */
type TaskEventInput = Omit<TaskEvent, 'at'> & { at?: string };

/**
 * Appends to stream `stream` the entries args[from + 1 .. to], capped at about args[from] entries,
 * in order: each entry is its field count and then its fields and values.
 */
const APPEND_FUNCTION = `
local function appendEntries(stream, args, from, to)
  local i = from + 1
  while i <= to do
    local pairs = tonumber(args[i])
    local xadd = { stream, 'MAXLEN', '~', args[from], '*' }
    for j = 1, pairs * 2 do xadd[5 + j] = args[i + j] end
    redis.call('XADD', unpack(xadd))
    i = i + 1 + pairs * 2
  end
end`;

/** Appends the entries of ARGV (its cap first) to stream KEYS[1]. One key, so a Redis Cluster takes it too. */
const APPEND_ENTRIES = `${APPEND_FUNCTION}
appendEntries(KEYS[1], ARGV, 1, #ARGV)
return 0`;

/**
 * `lua` (a script that adds a job, e.g. BullMQ's) made to append entries in the same call, after
 * it ran: its caller gives the stream as the last key, and `trailingArgs` behind the script's own
 * arguments. Both are taken off KEYS and ARGV before `lua` runs, so it sees what it always saw;
 * an answer that is an error code (a negative number) appends nothing.
 */
export function appendingAfter(lua: string): string {
  return `${APPEND_FUNCTION}
local foremanTail = tonumber(ARGV[#ARGV])
local foremanFirst = #ARGV - foremanTail
local foremanStream = KEYS[#KEYS]
local foremanArgs = {}
for i = foremanFirst, #ARGV - 1 do foremanArgs[#foremanArgs + 1] = ARGV[i] end
for i = #ARGV, foremanFirst, -1 do ARGV[i] = nil end
KEYS[#KEYS] = nil
local foremanAnswer = (function()
${lua}
end)()
if type(foremanAnswer) ~= 'number' or foremanAnswer >= 0 then
  appendEntries(foremanStream, foremanArgs, 1, #foremanArgs)
end
return foremanAnswer`;
}

type RedisWithAppend = RedisConnection & {
  foremanAppendEntries(...args: Array<string | number>): Promise<unknown>;
};

/** The rows a step writes, carried with its event for a `RecordProjector`. */
interface TaskStep {
  record?: NewTaskRecord | undefined;
  deadLetter?: NewDeadLetter | undefined;
}

/**
 * Entries the stream keeps at most by default. Entries carry record rows until a projector stores
 * them, so this cap is what bounds a database outage: about 1,000,000 / (3 x tasks per second)
 * seconds (5.5 minutes at 1,000 tasks/s) before unstored rows are trimmed. Projectors trim what
 * they stored well before it (see `RecordProjector`'s `retainMs`).
 */
export const DEFAULT_EVENTS_KEPT = 1_000_000;

/**
 * Appends task events to a capped Redis stream, which every reader (SSE, `TaskEventSubscriber`)
 * follows and resumes from. One `XADD` per event (but a start folded into the same turn's next step
 * of its task): no pub/sub copy, since the stream already wakes
 * blocked readers; the appends of one turn of the event loop go in one script call. The worker
 * appends each attempt's steps with their record rows (`append`), so the stream is also the
 * durable log a `RecordProjector` stores in PostgreSQL.
 */
export class TaskEventPublisher {
  private readonly stream: string;
  private readonly kept: number;
  /** Entries appended since the last send: one script call (one socket write) carries them all. */
  private unsent: Array<{
    event: TaskEventInput;
    step: TaskStep;
    resolve: () => void;
    reject: (error: unknown) => void;
  }> = [];

  constructor(
    private readonly options: {
      connection: RedisConnection;
      prefix: string;
      logger?: Logger | undefined;
      /**
       * About how many entries the stream keeps at most (Redis trims it approximately).
       * @defaultValue {@link DEFAULT_EVENTS_KEPT}
       */
      eventsKept?: number | undefined;
    },
  ) {
    this.kept = options.eventsKept ?? DEFAULT_EVENTS_KEPT;
    checkWholeNumbers('TaskEventPublisher', { eventsKept: this.kept });
    this.stream = taskEventsStream(options.prefix);
    // Sent by its SHA once Redis has seen it (ioredis falls back to EVAL after a restart).
    if (!('foremanAppendEntries' in options.connection)) {
      options.connection.defineCommand('foremanAppendEntries', { numberOfKeys: 1, lua: APPEND_ENTRIES });
    }
  }

  publish(event: TaskEventInput): void {
    this.append(event).catch((error: unknown) => {
      this.options.logger?.warn({ err: error, taskId: event.taskId }, 'task event not published');
    });
  }

  /**
   * Appends an event with the record row (and dead letter) of the same step, in one entry, for a
   * `RecordProjector` to store; resolves once Redis has it, so a caller can make the step
   * durable before it acknowledges the job.
   */
  append(event: TaskEventInput, step: TaskStep = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      // Sent once the current turn of the event loop is over: the steps of every slot that
      // finished in it travel together, where one write each cost a system call apiece.
      if (this.unsent.length === 0) setImmediate(() => this.send());
      this.unsent.push({ event, step, resolve, reject });
    });
  }

  /** The batch in one script call: one command to build, send and answer instead of one each. */
  private send(): void {
    const batch = this.unsent;
    this.unsent = [];
    const { newest, ended } = summarize(batch);
    const args: Array<string | number> = [this.stream, this.kept];
    const now = new Date().toISOString();
    for (const { event, step } of batch) {
      if (!superseded(step, newest)) this.pushEntry(args, event, step, now);
      // A start whose attempt ended in the same turn (a handler with no I/O): its end carries
      // `startedAt`, and one entry less per task is a third of the stream's extra commands.
      else if (event.type !== 'started' || !ended.has(event.taskId) || step.deadLetter)
        this.pushEntry(args, event, { deadLetter: step.deadLetter }, now);
    }
    (this.options.connection as RedisWithAppend).foremanAppendEntries(...args).then(
      () => {
        for (const { resolve } of batch) resolve();
      },
      (error: unknown) => {
        for (const { reject } of batch) reject(error);
      },
    );
  }

  /**
   * Queues the same entries as `append` on a transaction the caller executes, in one script call,
   * so they land together with the rest of it (a submit's jobs) or not at all.
   */
  appendTo(
    transaction: ChainableCommander,
    entries: ReadonlyArray<{ event: TaskEventInput; step?: TaskStep }>,
  ): void {
    if (entries.length === 0) return;
    const args = this.scriptArgs(entries);
    const scripted = transaction as ChainableCommander &
      Partial<Pick<RedisWithAppend, 'foremanAppendEntries'>>;
    // The command exists on transactions of the connection this publisher was given; another
    // connection's transaction sends the script itself.
    if (scripted.foremanAppendEntries) scripted.foremanAppendEntries(...args);
    else transaction.eval(APPEND_ENTRIES, 1, ...args);
  }

  /** The stream every entry goes to: the last key of a script made with `appendingAfter`. */
  get streamKey(): string {
    return this.stream;
  }

  /** What a script made with `appendingAfter` takes behind its own arguments to append `entries`. */
  trailingArgs(entries: ReadonlyArray<{ event: TaskEventInput; step?: TaskStep }>): Array<string | number> {
    const args = this.entryArgs(entries, []);
    args.push(args.length);
    return args;
  }

  /** The append script's arguments for entries: the stream, then `entryArgs`. */
  private scriptArgs(
    entries: ReadonlyArray<{ event: TaskEventInput; step?: TaskStep }>,
  ): Array<string | number> {
    return this.entryArgs(entries, [this.stream]);
  }

  /**
   * Pushes onto `args` the stream's cap, then each entry's field count and fields. One clock read
   * for them all: they happened within one turn of the event loop.
   */
  private entryArgs(
    entries: ReadonlyArray<{ event: TaskEventInput; step?: TaskStep }>,
    args: Array<string | number>,
  ): Array<string | number> {
    const now = new Date().toISOString();
    args.push(this.kept);
    for (const { event, step = {} } of entries) this.pushEntry(args, event, step, now);
    return args;
  }

  /** Pushes one entry's field count and fields; an event without `at` happened `now`. */
  private pushEntry(args: Array<string | number>, event: TaskEventInput, step: TaskStep, now: string): void {
    args.push(1 + (step.record ? 1 : 0) + (step.deadLetter ? 1 : 0), 'event', eventJson(event, now));
    if (step.record) args.push('record', JSON.stringify(step.record));
    if (step.deadLetter) args.push('deadLetter', JSON.stringify(step.deadLetter));
  }
}

/**
 * The event as JSON, stamped `at` when it has no time of its own: the stamp is appended to the
 * text rather than to a copy of the event, which cost an object and a slower stringify per entry.
 */
function eventJson(event: TaskEventInput, at: string): string {
  const json = JSON.stringify(event);
  if (event.at !== undefined) return json;
  return `${json.length > 2 ? `${json.slice(0, -1)},` : '{'}"at":${JSON.stringify(at)}}`;
}

/** Events that end an attempt. */
const ENDS: ReadonlySet<TaskEvent['type']> = new Set(['completed', 'failed', 'cancelled', 'retrying']);

/** Each task's highest record version in a batch, and the tasks whose attempt ended in it. */
function summarize(batch: ReadonlyArray<{ event: TaskEventInput; step: TaskStep }>): {
  newest: Map<string, number>;
  ended: Set<string>;
} {
  const newest = new Map<string, number>();
  const ended = new Set<string>();
  for (const { event, step } of batch) {
    if (ENDS.has(event.type)) ended.add(event.taskId);
    const { record } = step;
    if (record?.version === undefined) continue;
    if ((newest.get(record.id) ?? -1) < record.version) newest.set(record.id, record.version);
  }
  return { newest, ended };
}

/**
 * Whether a later row of the same task in the batch holds every field of this step's row at a
 * higher version (a short task's start and end land in one turn): only that one needs storing.
 * A row with the payload is always kept, since worker rows carry none.
 */
function superseded(step: TaskStep, newest: Map<string, number>): boolean {
  const { record } = step;
  if (record?.version === undefined || record.payload !== undefined) return false;
  return (newest.get(record.id) ?? -1) > record.version;
}
