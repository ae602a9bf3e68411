import { join } from 'node:path';
import { freePort } from '@foreman/core/testing';
import { repoRoot } from '../apps.js';
import type { ImageCheckOptions } from './check-app-image.js';

/**
 * Options that start each app against the test Redis and PostgreSQL (own prefix and schema), with
 * built packages cached under node_modules/.cache so reruns compile only what changed.
 */
export function testServicesOptions(
  redis: { url: string; prefix: string },
  database: { url: string; schema: string },
): ImageCheckOptions {
  return {
    settings: {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: redis.prefix,
      DATABASE_URL: database.url,
      DATABASE_SCHEMA: database.schema,
    },
    turboCacheDir: join(repoRoot, 'node_modules/.cache/foreman-image-builds'),
    freePort,
  };
}
