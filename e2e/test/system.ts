import { randomBytes } from 'node:crypto';
import { createTestRedis, freePort, type TestRedis } from '@foreman/core/testing';
import { Queue } from 'bullmq';
import { type AppProcess, startApp } from './processes.js';

export interface RunningSystem {
  readonly baseUrl: string;
  /** Admin key the api was started with (ADMIN_API_KEY). */
  readonly adminKey: string;
  /** fetch against the api with the admin key. */
  api(path: string, init?: RequestInit): Promise<Response>;
  readonly apps: AppProcess[];
  /** Jobs waiting or delayed across the system's queues. */
  queued(): Promise<number>;
  stop(): Promise<void>;
}

export interface SystemOptions {
  /** Redis to run on (a fresh prefix on the test Redis unless given); the system cleans it up. */
  redis?: TestRedis;
  /** Extra settings for every app. */
  env?: Record<string, string>;
  /** Worker apps to run beside the api (default: maintenance-worker and sync-worker). */
  workers?: readonly string[];
  /**
   * Who stores the task records: the api, standing for beat (not started), or the worker apps.
   * @defaultValue 'api'
   */
  projector?: 'api' | 'workers';
}

/** The api and workers (two by default) as real processes, on a fresh queue prefix and the given database. */
export async function startSystem(
  database: { url: string; schema: string },
  options: SystemOptions = {},
): Promise<RunningSystem> {
  const redis = options.redis ?? (await createTestRedis('e2e'));
  const port = await freePort();
  const adminKey = `fm_e2e_${randomBytes(24).toString('base64url')}`;
  const env = {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    DATABASE_URL: database.url,
    DATABASE_SCHEMA: database.schema,
    HEALTH_PORT: '0',
    MAX_BODY_BYTES: '4096',
    // The suite's feed servers (and the api itself) listen on loopback: allowed by name, the
    // address check otherwise on as in production.
    FETCH_ALLOWED_HOSTS: '127.0.0.1',
    ...options.env,
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  // Suites run without beat, and most without maintenance-worker: one side stands for them.
  const projector = options.projector ?? 'api';
  const apps = await Promise.all([
    startApp(
      'api',
      { ...env, RECORD_PROJECTOR: String(projector === 'api'), PORT: String(port), ADMIN_API_KEY: adminKey },
      'api listening',
    ),
    ...(options.workers ?? ['maintenance-worker', 'sync-worker']).map((worker) =>
      startApp(worker, { ...env, RECORD_PROJECTOR: String(projector === 'workers') }, 'worker started'),
    ),
  ]);
  const queues = ['maintenance', 'sync', 'email', 'ai', 'file'].map(
    (name) => new Queue(name, { connection: redis.redis, prefix: redis.prefix }),
  );
  return {
    baseUrl,
    adminKey,
    apps,
    api(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${adminKey}`);
      return fetch(`${baseUrl}${path}`, { ...init, headers });
    },
    async queued() {
      const counts = await Promise.all(
        queues.map((queue) =>
          queue.getJobCountByTypes('waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed'),
        ),
      );
      return counts.reduce((sum, count) => sum + count, 0);
    },
    async stop() {
      await Promise.all(apps.map((app) => app.stop()));
      await Promise.all(queues.map((queue) => queue.close()));
      await redis.cleanup();
    },
  };
}
