import { maintenance, QUEUES } from '@foreman/contracts';
import type { RedisConnection } from '@foreman/core/producer';
import { implementTask } from '@foreman/core/task';
import { Queue } from 'bullmq';

export interface CleanQueuesDeps {
  redis: RedisConnection;
  prefix: string;
  completedRetentionHours: number;
  failedRetentionHours: number;
  /** Jobs removed per call, so no single Redis command runs long. */
  batchSize?: number;
}

const HOUR = 3_600_000;

/** Trims finished jobs out of every queue in Redis; the task records in PostgreSQL are untouched. */
export function cleanQueuesTask(deps: CleanQueuesDeps) {
  const batchSize = deps.batchSize ?? 1_000;
  return implementTask(maintenance.cleanQueues, async (payload, context) => {
    const names = Object.values(QUEUES);
    const queues: Array<{ queue: string; completed: number; failed: number }> = [];
    for (const [index, name] of names.entries()) {
      const queue = new Queue(name, { connection: deps.redis, prefix: deps.prefix });
      try {
        const clean = async (state: 'completed' | 'failed', hours: number) => {
          let removed = 0;
          for (;;) {
            context.signal.throwIfAborted();
            const ids = await queue.clean(hours * HOUR, batchSize, state);
            removed += ids.length;
            if (ids.length < batchSize) return removed;
          }
        };
        queues.push({
          queue: name,
          completed: await clean(
            'completed',
            payload.completedOlderThanHours ?? deps.completedRetentionHours,
          ),
          failed: await clean('failed', payload.failedOlderThanHours ?? deps.failedRetentionHours),
        });
      } finally {
        await queue.close();
      }
      await context.progress(((index + 1) / names.length) * 100, name);
    }
    return { queues };
  });
}
