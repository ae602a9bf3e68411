import { sync } from '@foreman/contracts';
import { implementTask, NonRetryableError } from '@foreman/core/task';
import { type CalendarFeedRow, calendarFeeds, type Db, eq } from '@foreman/db';
import { InvalidFeedError } from '../calendar/invalid-feed-error.js';
import { mergeFeed } from '../calendar/merge-feed.js';
import { parseFeed } from '../calendar/parse-feed.js';
import type { PoliteFetch } from '../http/polite-fetch.js';
import { RemoteError } from '../http/remote-error.js';

export interface SyncCalendarEventsDeps {
  db: Db;
  http: PoliteFetch;
  maxFeedBytes: number;
}

/**
 * Syncs one feed (feedId) or all of them. Each feed is fetched conditionally and merged in its own
 * transaction; a feed that fails keeps its events, gets `last_error`, and the others carry on.
 */
export function syncCalendarEventsTask(deps: SyncCalendarEventsDeps) {
  return implementTask(sync.syncCalendarEvents, async ({ feedId }, context) => {
    const feeds = await deps.db
      .select()
      .from(calendarFeeds)
      .where(feedId ? eq(calendarFeeds.id, feedId) : undefined);
    if (feedId && feeds.length === 0) throw new NonRetryableError(`Calendar feed ${feedId} does not exist`);
    const totals = { feeds: feeds.length, notModified: 0, upserted: 0, deleted: 0, conflicts: 0 };
    const errors: Array<{ id: string; error: string }> = [];
    for (const [index, feed] of feeds.entries()) {
      try {
        const outcome = await syncFeed(deps, feed, context.signal);
        if (outcome === 'not-modified') totals.notModified += 1;
        else {
          totals.upserted += outcome.upserted;
          totals.deleted += outcome.deleted;
          totals.conflicts += outcome.conflicts;
        }
      } catch (error) {
        if (context.signal.aborted) throw error;
        const message = (error as Error).message;
        await deps.db.update(calendarFeeds).set({ lastError: message }).where(eq(calendarFeeds.id, feed.id));
        if (feedId) {
          const retryable = error instanceof RemoteError && error.retryable;
          throw retryable ? error : new NonRetryableError(message);
        }
        errors.push({ id: feed.id, error: message });
      }
      await context.progress(((index + 1) / feeds.length) * 100, feed.url);
    }
    return { ...totals, errors };
  });
}

async function syncFeed(deps: SyncCalendarEventsDeps, feed: CalendarFeedRow, signal: AbortSignal) {
  if (!/^https?:\/\//i.test(feed.url) || !URL.canParse(feed.url)) {
    throw new InvalidFeedError(`"${feed.url}" is not an http(s) URL`);
  }
  const response = await deps.http.fetch(
    feed.url,
    { headers: { accept: 'text/calendar', ...(feed.etag ? { 'if-none-match': feed.etag } : {}) } },
    signal,
  );
  if (response.status === 304) {
    await deps.db
      .update(calendarFeeds)
      .set({ lastSyncedAt: new Date(), lastError: null })
      .where(eq(calendarFeeds.id, feed.id));
    return 'not-modified' as const;
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new RemoteError(`${feed.url} answered ${response.status}`, response.status, response.status >= 500);
  }
  const text = await readLimited(response, deps.maxFeedBytes, feed.url);
  return mergeFeed(deps.db, feed, parseFeed(text), response.headers.get('etag'));
}

async function readLimited(response: Response, maxBytes: number, url: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.length;
    if (size > maxBytes)
      throw new RemoteError(`${url} is larger than ${maxBytes} bytes`, response.status, false);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
