import type { Logger } from '@foreman/logger';
import { duplicateRedis, type RedisConnection } from '../redis/create-redis.js';
import { taskEventsChannel } from './channels.js';
import type { TaskEvent } from './task-event.js';

export type TaskEventHandler = (event: TaskEvent) => void;

/**
 * Receives the task events of one key prefix over a single Redis subscription shared by every
 * handler; a handler may ask for one task's events only.
 */
export class TaskEventSubscriber {
  private readonly handlers = new Set<{ handler: TaskEventHandler; taskId?: string | undefined }>();
  private subscriber: RedisConnection | undefined;
  private ready: Promise<unknown> | undefined;
  private readonly channel: string;

  constructor(
    private readonly options: { connection: RedisConnection; prefix: string; logger?: Logger | undefined },
  ) {
    this.channel = taskEventsChannel(options.prefix);
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
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.ready = undefined;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  private connect(): Promise<unknown> {
    if (!this.ready) {
      const subscriber = duplicateRedis(this.options.connection);
      this.subscriber = subscriber;
      subscriber.on('message', (channel: string, message: string) => {
        if (channel === this.channel) this.dispatch(message);
      });
      this.ready = subscriber.subscribe(this.channel);
    }
    return this.ready;
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
