import { fetchEnvSchema, loadConfig, positiveInt } from '@foreman/config';
import { z } from 'zod';

/** The sync settings, and FETCH_ALLOW_PRIVATE / FETCH_ALLOWED_HOSTS for the URLs users give. */
export const syncEnvSchema = fetchEnvSchema.extend({
  /** Least time between two requests to one remote (Notion allows about three a second). */
  SYNC_MIN_REQUEST_INTERVAL_MS: z.coerce.number().int().nonnegative().default(350),
  /** Longest Retry-After the sync waits out in place; longer ones fail the attempt, to be retried. */
  SYNC_MAX_RETRY_AFTER_MS: positiveInt(60_000),
  SYNC_REQUEST_TIMEOUT_MS: positiveInt(30_000),
  CALENDAR_MAX_FEED_BYTES: positiveInt(20 * 1024 * 1024),
  NOTION_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.notion.com'),
  NOTION_API_TOKEN: z.string().min(1).optional(),
  NOTION_VERSION: z.string().min(1).default('2022-06-28'),
  NOTION_PAGE_SIZE: z.coerce.number().int().min(1).max(100).default(100),
});

export type SyncEnv = z.output<typeof syncEnvSchema>;

export const loadSyncEnv = () => loadConfig(syncEnvSchema);
