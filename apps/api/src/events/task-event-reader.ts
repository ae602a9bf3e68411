import type { RedisConnection } from '@foreman/core';
import { type TaskEvent, taskEventsStream } from '@foreman/core';

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** True for ids this api hands out as SSE event ids (Redis stream ids). */
export const isEventId = (id: string): boolean => STREAM_ID.test(id);

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
  async read(
    connection: RedisConnection,
    after: string,
    blockMs: number,
  ): Promise<Array<{ id: string; event: TaskEvent }>> {
    const answer = (await connection.xread(
      'COUNT',
      500,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.stream,
      after,
    )) as Array<[string, Array<[string, string[]]>]> | null;
    const out: Array<{ id: string; event: TaskEvent }> = [];
    for (const [id, fields] of answer?.[0]?.[1] ?? []) {
      try {
        out.push({ id, event: JSON.parse(fields[1] ?? '') as TaskEvent });
      } catch {
        // An entry that is not an event is skipped, not fatal to the stream.
      }
    }
    return out;
  }
}
