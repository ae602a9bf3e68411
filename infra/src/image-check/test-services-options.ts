import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { freePort } from '@foreman/core/testing';
import { repoRoot } from '../apps.js';
import type { ImageCheckOptions } from './check-app-image.js';

/**
 * Where turbo caches this repo's builds: `.turbo/cache` beside the main worktree's `.git` (git
 * worktrees share it), or in the repo when it is no git checkout.
 */
function repoTurboCacheDir(): string {
  try {
    const gitDir = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
    return join(dirname(gitDir), '.turbo/cache');
  } catch {
    return join(repoRoot, '.turbo/cache');
  }
}

/**
 * Options that start each app against the test Redis and PostgreSQL (own prefix and schema). The
 * builds share turbo's cache with the repo's own: a pruned tree has the same inputs, so the same
 * hashes, and compiles only what the run has not built yet (CI builds every app before this test).
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
    turboCacheDir: repoTurboCacheDir(),
    freePort,
  };
}
