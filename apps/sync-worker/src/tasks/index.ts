import type { AnyTaskImplementation } from '@foreman/core';
import type { Db } from '@foreman/db';
import type { SyncEnv } from '../env.js';
import { PoliteFetch } from '../http/polite-fetch.js';
import { fetchUrlTask } from './fetch-url.js';
import { syncCalendarEventsTask } from './sync-calendar-events.js';
import { syncNotionPagesTask } from './sync-notion-pages.js';

export function syncTasks(db: Db, env: SyncEnv): AnyTaskImplementation[] {
  // One pace per remote: the feeds share one, the pages API has its own.
  const polite = () =>
    new PoliteFetch({
      minIntervalMs: env.SYNC_MIN_REQUEST_INTERVAL_MS,
      maxRetryAfterMs: env.SYNC_MAX_RETRY_AFTER_MS,
      timeoutMs: env.SYNC_REQUEST_TIMEOUT_MS,
    });
  return [
    fetchUrlTask(),
    syncCalendarEventsTask({ db, http: polite(), maxFeedBytes: env.CALENDAR_MAX_FEED_BYTES }),
    syncNotionPagesTask({
      db,
      http: polite(),
      apiUrl: env.NOTION_API_URL,
      token: env.NOTION_API_TOKEN,
      notionVersion: env.NOTION_VERSION,
      pageSize: env.NOTION_PAGE_SIZE,
    }),
  ];
}
