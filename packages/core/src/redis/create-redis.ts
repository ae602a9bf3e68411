import { Redis } from 'ioredis';

/**
 * A Redis connection for BullMQ: commands wait through reconnects instead of failing, which is
 * what queues and workers need (BullMQ requires maxRetriesPerRequest: null for workers).
 */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}
