import { type RedisConnection, type TaskEvent, taskEventsStream } from '@foreman/core';

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** True for ids this api hands out as SSE event ids (Redis stream ids). */
export const isEventId = (id: string): boolean => STREAM_ID.test(id);

/** Orders two stream ids (`<ms>-<seq>`): negative, zero or positive. */
export function compareEventIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split('-').map(BigInt);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

/** Events read in one go, each with its id, oldest first. */
export type EventBatch = Array<{ id: string; event: TaskEvent }>;

const BATCH = 500;

/**
 * Reads task events from the deployment's event stream in Redis, where workers and clients append
 * them. The stream is shared and ordered, so any api replica serves any reader, and a reader
 * resumes after the last id it saw.
 */
export class TaskEventReader {
  private readonly stream: string;

  constructor(
    prefix: string,
    private readonly redis: RedisConnection,
  ) {
    this.stream = taskEventsStream(prefix);
  }

  /** Id of the newest event, where a reader without history starts. */
  async latest(): Promise<string> {
    const [entry] = await this.redis.xrevrange(this.stream, '+', '-', 'COUNT', 1);
    return entry?.[0] ?? '0-0';
  }

  /**
   * Waits up to `blockMs` on `connection` (a dedicated one: XREAD BLOCK holds it) for events after
   * `after`; returns each with its id.
   */
  async read(connection: RedisConnection, after: string, blockMs: number): Promise<EventBatch> {
    const answer = (await connection.xread(
      'COUNT',
      BATCH,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.stream,
      after,
    )) as Array<[string, Array<[string, string[]]>]> | null;
    return parse(answer?.[0]?.[1] ?? []);
  }

  /** Up to one batch of the events after `after`, without blocking (a resumed stream's catch-up). */
  async history(after: string): Promise<EventBatch> {
    return parse(await this.redis.xrange(this.stream, `(${after}`, '+', 'COUNT', BATCH));
  }
}

function parse(entries: Array<[string, string[]]>): EventBatch {
  const out: EventBatch = [];
  for (const [id, fields] of entries) {
    try {
      out.push({ id, event: JSON.parse(fields[1] ?? '') as TaskEvent });
    } catch {
      // An entry that is not an event is skipped, not fatal to the stream.
    }
  }
  return out;
}
