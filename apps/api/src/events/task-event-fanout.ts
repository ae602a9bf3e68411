import { duplicateRedis, type RedisConnection } from '@foreman/core/producer';
import { ApiError } from '../http/api-error.js';
import { compareEventIds, type EventBatch, type TaskEventReader } from './task-event-reader.js';

export interface TaskEventFanoutOptions {
  reader: TaskEventReader;
  /** The api's connection; the fan-out duplicates it once for its blocking read. */
  redis: RedisConnection;
  /** How long one XREAD blocks; also the keep-alive interval of an idle stream. */
  blockMs: number;
  /** Streams one api key may hold open on this process; one more gets 429. */
  maxStreamsPerKey: number;
  /** Batches a stream may fall behind before it is closed (its client resumes with Last-Event-ID). */
  maxBacklog?: number;
}

/** One open event stream: what has arrived for it since it last asked. */
export class EventSubscription {
  /** Id of the last event handed out; only later ones are handed out. */
  private last: string | undefined;
  private readonly backlog: EventBatch[] = [];
  private wake: (() => void) | undefined;
  /** True once the stream fell too far behind or was closed. */
  ended = false;

  constructor(
    private readonly release: (subscription: EventSubscription) => void,
    private readonly maxBacklog: number,
    /** Settles once the shared reader knows where it starts: history read after it meets the live reads. */
    private readonly readerStarted: Promise<unknown>,
  ) {}

  /** Called by the fan-out with each read, an empty one being a keep-alive tick. */
  push(batch: EventBatch): void {
    if (this.ended) return;
    if (this.backlog.length >= this.maxBacklog) {
      this.close();
      return;
    }
    this.backlog.push(batch);
    this.wake?.();
  }

  /**
   * Events after `position` first, read from history (a resumed stream's catch-up), then live.
   * Before this, live events are held, so nothing between the two is lost.
   */
  async startAfter(position: string, history: (after: string) => Promise<EventBatch>): Promise<EventBatch> {
    await this.readerStarted;
    this.last = position;
    const missed: EventBatch = [];
    for (let batch = await history(position); batch.length > 0; batch = await history(this.last)) {
      missed.push(...batch);
      this.last = batch.at(-1)?.id ?? this.last;
    }
    return missed;
  }

  /** The next read: events later than the last handed out (maybe none: a keep-alive tick). */
  async next(): Promise<EventBatch | undefined> {
    while (this.backlog.length === 0 && !this.ended) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
    if (this.ended) return undefined;
    const batch = this.backlog.splice(0).flat();
    const fresh =
      this.last === undefined ? batch : batch.filter(({ id }) => compareEventIds(id, this.last!) > 0);
    this.last = fresh.at(-1)?.id ?? this.last;
    return fresh;
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.release(this);
    this.wake?.();
  }
}

/**
 * One blocking reader of the event stream per api process, fanned out to every open SSE stream:
 * the number of Redis connections no longer grows with the number of streams. Each key may hold
 * `maxStreamsPerKey` streams; the reader runs only while a stream is open.
 */
export class TaskEventFanout {
  private readonly byKey = new Map<string, Set<EventSubscription>>();
  private readonly all = new Set<EventSubscription>();
  private loop: Promise<void> | undefined;
  /** Where the running reader started reading. */
  private started: Promise<string> = Promise.resolve('0-0');

  constructor(private readonly options: TaskEventFanoutOptions) {
    if (!Number.isInteger(options.maxStreamsPerKey) || options.maxStreamsPerKey <= 0) {
      throw new RangeError('maxStreamsPerKey must be a positive whole number');
    }
  }

  /** A new stream of `keyId`, receiving everything read from now on; 429 over the key's cap. */
  subscribe(keyId: string): EventSubscription {
    const mine = this.byKey.get(keyId) ?? new Set();
    if (mine.size >= this.options.maxStreamsPerKey) {
      const error = new ApiError(
        'TOO_MANY_STREAMS',
        `This key already has ${this.options.maxStreamsPerKey} event streams open; close one first`,
      );
      error.retryAfterSeconds = Math.ceil(this.options.blockMs / 1000);
      throw error;
    }
    if (!this.loop) {
      this.started = this.options.reader.latest();
      this.loop = this.run(this.started);
    }
    const subscription = new EventSubscription(
      (ended) => {
        mine.delete(ended);
        if (mine.size === 0) this.byKey.delete(keyId);
        this.all.delete(ended);
      },
      this.options.maxBacklog ?? 100,
      this.started,
    );
    mine.add(subscription);
    this.byKey.set(keyId, mine);
    this.all.add(subscription);
    return subscription;
  }

  /** Ends every open stream (the api is stopping); their clients resume elsewhere with Last-Event-ID. */
  closeAll(): void {
    for (const subscription of [...this.all]) subscription.close();
  }

  /** Reads while any stream is open, on a connection of its own that it closes when the last one ends. */
  private async run(started: Promise<string>): Promise<void> {
    const connection = duplicateRedis(this.options.redis);
    try {
      let position = await started;
      while (this.all.size > 0) {
        const batch = await this.options.reader.read(connection, position, this.options.blockMs);
        position = batch.at(-1)?.id ?? position;
        for (const subscription of this.all) subscription.push(batch);
      }
    } catch {
      // Redis away: the streams end and their clients resume with Last-Event-ID.
      for (const subscription of [...this.all]) subscription.close();
    } finally {
      // In the same tick as the last look at `all`: a stream that subscribes later starts a reader.
      this.loop = undefined;
      connection.disconnect();
    }
  }
}
