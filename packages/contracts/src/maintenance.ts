import { declareSchedule, defineTask } from '@foreman/core';
import { z } from 'zod';
import { QUEUES } from './queues.js';

export const healthCheck = defineTask({
  name: 'maintenance.health_check',
  queue: QUEUES.maintenance,
  description: 'Pings Redis and PostgreSQL and reports their round-trip latencies.',
  payload: z.object({}).strict(),
  result: z.object({ redisMs: z.number(), databaseMs: z.number(), checkedAt: z.string() }),
  retry: { attempts: 1 },
  timeoutMs: 30_000,
});

export const schedules = [
  declareSchedule({
    id: 'maintenance.health_check.every-5m',
    task: healthCheck,
    payload: {},
    everyMs: 5 * 60_000,
    description: 'Checks Redis and PostgreSQL from the workers every five minutes',
  }),
];
