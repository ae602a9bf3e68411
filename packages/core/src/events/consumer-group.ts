import type { RedisConnection } from '../redis/create-redis.js';

export type StreamEntry = [id: string, fields: string[]];

/** Creates `group` on `stream` reading from `from` (`0`: all of it, `$`: what comes next), unless it exists. */
export async function joinGroup(
  connection: RedisConnection,
  stream: string,
  group: string,
  from: '0' | '$',
): Promise<void> {
  try {
    await connection.xgroup('CREATE', stream, group, from, 'MKSTREAM');
  } catch (error) {
    if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
  }
}

/**
 * Takes over, for `consumer`, every entry of `group` another consumer read and left
 * unacknowledged for `idleMs` (it died), handing them to `take` a page of `count` at a time.
 */
async function claimIdle(
  connection: RedisConnection,
  target: { stream: string; group: string; consumer: string; idleMs: number; count: number },
  take: (entries: StreamEntry[]) => Promise<void> | void,
): Promise<void> {
  let cursor = '0-0';
  do {
    const [next, entries] = (await connection.xautoclaim(
      target.stream,
      target.group,
      target.consumer,
      target.idleMs,
      cursor,
      'COUNT',
      target.count,
    )) as [string, StreamEntry[], string[]];
    // Entries deleted from the stream meanwhile come back empty.
    await take(entries.filter((entry) => entry?.[1]));
    cursor = next;
  } while (cursor !== '0-0');
}

/** The next entries no consumer of `group` has read, up to `count`; waits up to `blockMs` for some. */
async function readNew(
  reader: RedisConnection,
  target: { stream: string; group: string; consumer: string; count: number },
  blockMs: number,
): Promise<StreamEntry[]> {
  const answer = (await reader.xreadgroup(
    'GROUP',
    target.group,
    target.consumer,
    'COUNT',
    target.count,
    'BLOCK',
    blockMs,
    'STREAMS',
    target.stream,
    '>',
  )) as Array<[string, StreamEntry[]]> | null;
  return answer?.[0]?.[1] ?? [];
}

/** One consumer of a group, and how it pages through the stream. */
export interface GroupMember {
  stream: string;
  group: string;
  consumer: string;
  /** Entries other consumers left unacknowledged this long (they died) are taken over. */
  idleMs: number;
  /** Entries per read. */
  count: number;
  /** Longest one read blocks while nothing new arrives. */
  blockMs: number;
}

/**
 * Reads `member`'s group on `reader` while `following()` holds: every `idleMs / 2` it takes over
 * abandoned entries, then reads new ones, each page handed to `take`. `beforeRead` runs before
 * each read. A failure goes to `onError` and the loop goes on after 500 ms.
 */
export async function followGroup(
  reader: RedisConnection,
  connection: RedisConnection,
  member: GroupMember,
  steps: {
    following: () => boolean;
    take: (entries: StreamEntry[]) => Promise<void> | void;
    beforeRead?: () => Promise<unknown> | undefined;
    onError: (error: unknown) => void;
  },
): Promise<void> {
  let lastClaim = 0;
  while (steps.following()) {
    try {
      if (Date.now() - lastClaim >= member.idleMs / 2) {
        lastClaim = Date.now();
        await claimIdle(connection, member, steps.take);
      }
      await steps.beforeRead?.();
      await steps.take(await readNew(reader, member, member.blockMs));
    } catch (error) {
      if (!steps.following()) return;
      steps.onError(error);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
