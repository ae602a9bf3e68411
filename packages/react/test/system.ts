// A running Foreman for the hooks' tests, in its own process tree: the api as its own process
// (from source) and a worker in this one, on a fresh Redis prefix and database schema. Prints
// `{ baseUrl, adminKey }` once ready; each `release` line on stdin lets the `sync.fetch_url` tasks
// waiting so far finish; closing stdin stops everything.
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sync } from '@foreman/contracts';
import { implementTask, TaskRegistry, TaskWorker } from '@foreman/core';
import { createTestRedis, createTestRuntime, startApiProcess } from '@foreman/core/testing';
import { createTestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const label = `react_${process.pid}`;
const redis = await createTestRedis(label);
const testDb = await createTestDatabase(label);
const api = await startApiProcess(root, {
  redis,
  database: testDb,
  env: {
    READ_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    CORS_ORIGINS: process.env.CORS_ORIGINS ?? 'http://app.example.test',
  },
});
const logger = createLogger('worker', { level: 'silent' });
const runtime = await createTestRuntime({
  redis,
  database: testDb,
  registry: new TaskRegistry([sync.fetchUrl]),
  logger,
});
let waiting: Array<() => void> = [];
const worker = new TaskWorker({
  queue: 'sync',
  connection: redis.redis,
  prefix: redis.prefix,
  records: runtime.records,
  logger,
  events: runtime.events,
  tasks: [
    implementTask(sync.fetchUrl, async (_payload, context) => {
      await context.progress(40, 'waiting for release');
      await new Promise<void>((resolve) => waiting.push(resolve));
      return { status: 200, notModified: false, etag: null, bytes: 5, sha256: null };
    }),
  ],
});
await worker.start();
console.log(JSON.stringify({ baseUrl: api.baseUrl, adminKey: api.adminKey }));

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'release') return;
  for (const resolve of waiting) resolve();
  waiting = [];
});
lines.on('close', async () => {
  for (const resolve of waiting) resolve();
  await worker.close();
  await runtime.stop();
  await api.stop();
  await redis.cleanup();
  await testDb.drop();
  process.exit(0);
});
