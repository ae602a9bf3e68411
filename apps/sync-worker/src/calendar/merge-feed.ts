import {
  and,
  type CalendarEventRow,
  type CalendarFeedRow,
  calendarConflicts,
  calendarEvents,
  calendarFeeds,
  type Db,
  eq,
  inArray,
} from '@foreman/db';
import type { RemoteEvent } from './parse-feed.js';

export interface MergeOutcome {
  upserted: number;
  deleted: number;
  conflicts: number;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * Applies a feed's current events in one transaction: new ones inserted, changed ones updated,
 * missing ones deleted. An event edited locally (`local_modified_at` set) that also changed
 * remotely is a conflict: the later of the two edits wins, and both sides go to the conflict log.
 */
export async function mergeFeed(
  db: Db,
  feed: CalendarFeedRow,
  remote: RemoteEvent[],
  etag: string | null,
): Promise<MergeOutcome> {
  return db.transaction(async (tx) => {
    const existing = await tx.select().from(calendarEvents).where(eq(calendarEvents.feedId, feed.id));
    const byUid = new Map(existing.map((row) => [row.uid, row]));
    const now = new Date();
    const outcome: MergeOutcome = { upserted: 0, deleted: 0, conflicts: 0 };
    for (const event of remote) {
      const row = byUid.get(event.uid);
      const fields = {
        summary: event.summary,
        description: event.description,
        location: event.location,
        startsAt: event.startsAt,
        endsAt: event.endsAt,
        allDay: event.allDay,
        sequence: event.sequence,
        remoteModifiedAt: event.modifiedAt,
        syncedAt: now,
      };
      if (!row) {
        await tx
          .insert(calendarEvents)
          .values({ feedId: feed.id, userId: feed.userId, uid: event.uid, ...fields });
        outcome.upserted += 1;
      } else if (remoteChanged(row, event)) {
        if (row.localModifiedAt) {
          outcome.conflicts += 1;
          await resolveConflict(tx, feed, row, event, fields);
        } else {
          await tx.update(calendarEvents).set(fields).where(eq(calendarEvents.id, row.id));
        }
        outcome.upserted += 1;
      }
    }
    const remoteUids = new Set(remote.map((event) => event.uid));
    const gone = existing.filter((row) => !remoteUids.has(row.uid)).map((row) => row.id);
    if (gone.length > 0) await tx.delete(calendarEvents).where(inArray(calendarEvents.id, gone));
    outcome.deleted = gone.length;
    await tx
      .update(calendarFeeds)
      .set({ etag, lastSyncedAt: now, lastError: null })
      .where(eq(calendarFeeds.id, feed.id));
    return outcome;
  });
}

function remoteChanged(row: CalendarEventRow, event: RemoteEvent): boolean {
  return row.sequence !== event.sequence || row.remoteModifiedAt?.getTime() !== event.modifiedAt?.getTime();
}

async function resolveConflict(
  tx: Tx,
  feed: CalendarFeedRow,
  row: CalendarEventRow,
  event: RemoteEvent,
  fields: Partial<CalendarEventRow>,
): Promise<void> {
  const localAt = row.localModifiedAt as Date;
  const remoteWins = event.modifiedAt !== null && event.modifiedAt.getTime() > localAt.getTime();
  await tx.insert(calendarConflicts).values({
    feedId: feed.id,
    uid: row.uid,
    winner: remoteWins ? 'remote' : 'local',
    localModifiedAt: localAt,
    remoteModifiedAt: event.modifiedAt,
    local: snapshot(row),
    remote: snapshot(event),
  });
  // The local side keeps its fields and stays marked edited; it only learns the remote's version.
  const update = remoteWins
    ? { ...fields, localModifiedAt: null }
    : { sequence: event.sequence, remoteModifiedAt: event.modifiedAt, syncedAt: fields.syncedAt };
  await tx
    .update(calendarEvents)
    .set(update)
    .where(and(eq(calendarEvents.id, row.id), eq(calendarEvents.feedId, feed.id)));
}

function snapshot(
  event: Pick<RemoteEvent, 'summary' | 'description' | 'location' | 'startsAt' | 'endsAt' | 'allDay'>,
) {
  return {
    summary: event.summary,
    description: event.description,
    location: event.location,
    startsAt: event.startsAt.toISOString(),
    endsAt: event.endsAt?.toISOString() ?? null,
    allDay: event.allDay,
  };
}
