import type { Logger } from '@foreman/logger';
import { duplicateRedis, type RedisConnection } from '../redis/create-redis.js';
import { taskEventsStream } from './channels.js';
import type { TaskEvent } from './task-event.js';

export type TaskEventHandler = (event: TaskEvent) => void;

/** Events taken per read of the stream. */
const READ_COUNT = 1_000;
/** Longest one blocking read waits, so close is noticed even on a quiet stream. */
const BLOCK_MS = 1_000;

/**
 * Follows the task events of one key prefix by reading their stream (the one the publisher
 * appends to) on a single connection shared by every handler; a handler may ask for one task's
 * events only. Every event appended after `subscribe` resolves is delivered, in order, unless the
 * stream's cap trims it before it is read.
 */
export class TaskEventSubscriber {
  private readonly handlers = new Set<{ handler: TaskEventHandler; taskId?: string | undefined }>();
  private reader: RedisConnection | undefined;
  private ready: Promise<void> | undefined;
  private readonly stream: string;

  constructor(
    private readonly options: { connection: RedisConnection; prefix: string; logger?: Logger | undefined },
  ) {
    this.stream = taskEventsStream(options.prefix);
  }

  /** Calls `handler` for each event (of `taskId` only, when given); returns the unsubscribe. */
  async subscribe(handler: TaskEventHandler, filter: { taskId?: string } = {}): Promise<() => void> {
    const entry = { handler, taskId: filter.taskId };
    this.handlers.add(entry);
    await this.connect();
    return () => {
      this.handlers.delete(entry);
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
    const reader = this.reader;
    this.reader = undefined;
    this.ready = undefined;
    // A blocked XREAD holds the connection: drop it rather than wait for the block to end.
    reader?.disconnect();
  }

  private connect(): Promise<void> {
    if (!this.ready) {
      const reader = duplicateRedis(this.options.connection);
      this.reader = reader;
      this.ready = this.options.connection
        .xrevrange(this.stream, '+', '-', 'COUNT', 1)
        .then(([newest]) => void this.follow(reader, newest?.[0] ?? '0-0'));
    }
    return this.ready;
  }

  private async follow(reader: RedisConnection, from: string): Promise<void> {
    let after = from;
    while (this.reader === reader) {
      let answer: Array<[string, Array<[string, string[]]>]> | null;
      try {
        answer = (await reader.xread(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.stream,
          after,
        )) as Array<[string, Array<[string, string[]]>]> | null;
      } catch (error) {
        if (this.reader !== reader) return;
        this.options.logger?.warn({ err: error }, 'task event stream read failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      for (const [id, fields] of answer?.[0]?.[1] ?? []) {
        after = id;
        this.dispatch(fields[fields.indexOf('event') + 1] ?? '');
      }
    }
  }

  private dispatch(message: string): void {
    let event: TaskEvent;
    try {
      event = JSON.parse(message) as TaskEvent;
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'unreadable task event');
      return;
    }
    for (const { handler, taskId } of this.handlers) {
      if (taskId !== undefined && taskId !== event.taskId) continue;
      try {
        handler(event);
      } catch (error) {
        this.options.logger?.error({ err: error, taskId: event.taskId }, 'task event handler failed');
      }
    }
  }
}
