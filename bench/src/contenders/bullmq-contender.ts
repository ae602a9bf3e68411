import { createRequire } from 'node:module';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startNodeWorker } from '../workers/start-node-worker.js';
import type { Contender, ContenderContext, ContenderSession, TaskKind } from './contender.js';
import { JOB_RETENTION } from './job-retention.js';
import { submitPaced } from './pace.js';
import { payloadOf } from './payloads.js';

const BULK_CHUNK = 1_000;

/** Raw BullMQ: a minimal Queue and Worker, the floor under our own overhead. */
export const bullmqContender: Contender = {
  name: 'bullmq',
  description: 'raw BullMQ: minimal Queue.addBulk/add + Worker, same concurrency, no records',
  async prepare() {
    const { version } = createRequire(import.meta.url)('bullmq/package.json') as { version: string };
    return `bullmq ${version}`;
  },
  async open(context: ContenderContext): Promise<ContenderSession> {
    const connection = new Redis(context.redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue('bench', { connection, prefix: 'bench' });
    return {
      startWorker: () =>
        startNodeWorker(
          './bullmq-worker.ts',
          {
            REDIS_URL: context.redisUrl,
            QUEUE_PREFIX: 'bench',
            WORKER_CONCURRENCY: String(context.concurrency),
          },
          'raw BullMQ worker',
        ),
      async submitBulk(kind: TaskKind, count: number) {
        for (let start = 0; start < count; start += BULK_CHUNK) {
          const size = Math.min(BULK_CHUNK, count - start);
          await queue.addBulk(
            Array.from({ length: size }, () => ({ name: kind, data: payloadOf(kind), opts: JOB_RETENTION })),
          );
        }
      },
      submitSteady: (kind, rate, seconds) =>
        submitPaced(rate, seconds, (at) => queue.add(kind, payloadOf(kind, at), JOB_RETENTION)),
      finish: async () => undefined,
      async close() {
        await queue.close();
        connection.disconnect();
      },
    };
  },
};
