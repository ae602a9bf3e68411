import type { NewTaskRecord } from '@foreman/db';
import { taskEventsStream } from '../events/channels.js';
import type { RedisConnection } from '../redis/create-redis.js';
import { field, RECORD_DATES, RECORDS_GROUP, revive, toMap } from './record-projector.js';

/**
 * The task record rows in the event stream that no projector has stored yet (read or not), from
 * the newest back, at most `count` entries read: what a list overlays in the moments before the
 * rows land. Every row of the tail when no projector ever joined the stream.
 */
export async function unprojectedRecords(
  connection: RedisConnection,
  prefix: string,
  count = 1_000,
): Promise<NewTaskRecord[]> {
  const stream = taskEventsStream(prefix);
  let groups: Array<Record<string, unknown>>;
  try {
    groups = ((await connection.xinfo('GROUPS', stream)) as unknown[][]).map(toMap);
  } catch (error) {
    // No stream yet: nothing was appended.
    if (String((error as Error).message).includes('no such key')) return [];
    throw error;
  }
  const group = groups.find((candidate) => candidate.name === RECORDS_GROUP);
  let from = '-';
  if (group) {
    const [, oldestPending] = (await connection.xpending(stream, RECORDS_GROUP)) as [number, string | null];
    from = oldestPending ?? `(${String(group['last-delivered-id'])}`;
  }
  const entries = (await connection.xrevrange(stream, '+', from, 'COUNT', count)) as Array<
    [string, string[]]
  >;
  const rows: NewTaskRecord[] = [];
  for (const [, fields] of entries) {
    const record = field(fields, 'record');
    if (!record) continue;
    try {
      rows.push(revive<NewTaskRecord>(record, RECORD_DATES));
    } catch {
      // The projector reports an unreadable entry; a list just leaves it out.
    }
  }
  return rows;
}
