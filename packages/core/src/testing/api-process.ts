import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../testing.js';
import { type AppProcess, startAppProcess } from './app-process.js';

export interface ApiProcess {
  readonly baseUrl: string;
  /** The api's admin key (user `admin`). */
  readonly adminKey: string;
  readonly app: AppProcess;
  /** Stops the api and removes its data directory. */
  stop(): Promise<void>;
}

export interface ApiProcessOptions {
  redis: { url: string; prefix: string };
  database: { url: string; schema: string };
  /** More settings of the api, over the defaults here (no rate limit to speak of, no alert evaluation). */
  env?: Record<string, string>;
}

/**
 * The api app of the repo at `root` as its own process (from source) on a free port, on the given
 * Redis prefix and database schema, with a fresh admin key and data directory.
 */
export async function startApiProcess(root: string, options: ApiProcessOptions): Promise<ApiProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'foreman-api-'));
  const port = await freePort();
  const adminKey = `fm_test_${randomBytes(24).toString('base64url')}`;
  const app = await startAppProcess(
    root,
    'api',
    {
      PORT: String(port),
      REDIS_URL: options.redis.url,
      QUEUE_PREFIX: options.redis.prefix,
      DATABASE_URL: options.database.url,
      DATABASE_SCHEMA: options.database.schema,
      DATA_DIR: dataDir,
      ADMIN_API_KEY: adminKey,
      RATE_LIMIT_PER_MINUTE: '100000',
      ALERT_EVALUATION: 'off',
      ...options.env,
    },
    'api listening',
    { timeoutMs: 60_000 },
  );
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    adminKey,
    app,
    async stop() {
      await app.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
