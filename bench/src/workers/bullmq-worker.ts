// Raw BullMQ worker: the floor of our overhead. A minimal Worker with the same concurrency and
// nothing else: no validation, no records, no listeners.
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { IO_WAIT_MS } from '../contenders/payloads.js';
import { workerChildEnv } from './child-env.js';
import { clock, ProgressChannel } from './progress-channel.js';

const env = workerChildEnv();
const channel = new ProgressChannel();
const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const worker = new Worker<{ at: number }>(
  'bench',
  async (job) => {
    const startedAt = clock();
    if (job.name === 'io') await sleep(IO_WAIT_MS);
    channel.record(job.data.at, startedAt);
  },
  { connection, prefix: env.QUEUE_PREFIX, concurrency: env.WORKER_CONCURRENCY },
);
await worker.waitUntilReady();
channel.ready();

process.once('SIGTERM', () => {
  void (async () => {
    await worker.close();
    connection.disconnect();
    await channel.final();
    process.exit(0);
  })();
});
