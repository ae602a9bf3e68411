import type { AnyTaskImplementation } from '@foreman/core/task';
import type { Db } from '@foreman/db';
import { GuardedFetch } from '@foreman/net';
import type { SyncEnv } from '../env.js';
import { PoliteFetch } from '../http/polite-fetch.js';
import { fetchUrlTask } from './fetch-url.js';
import { syncCalendarEventsTask } from './sync-calendar-events.js';
import { syncNotionPagesTask } from './sync-notion-pages.js';

export function syncTasks(db: Db, env: SyncEnv): AnyTaskImplementation[] {
  // Every URL, the pages API's included, goes through the address check.
  const http = new GuardedFetch({
    allowPrivate: env.FETCH_ALLOW_PRIVATE,
    allowedHosts: env.FETCH_ALLOWED_HOSTS,
  });
  // One pace per remote: the feeds share one, the pages API has its own.
  const polite = () =>
    new PoliteFetch({
      http,
      minIntervalMs: env.SYNC_MIN_REQUEST_INTERVAL_MS,
      maxRetryAfterMs: env.SYNC_MAX_RETRY_AFTER_MS,
      timeoutMs: env.SYNC_REQUEST_TIMEOUT_MS,
    });
  return [
    fetchUrlTask({ http }),
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
