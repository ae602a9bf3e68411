import type { RedisConnection } from '@foreman/core/producer';

/** Round trip of a PING in milliseconds; fails after `timeoutMs` rather than waiting on a dead server. */
export async function timeRedisPing(redis: RedisConnection, timeoutMs = 5_000): Promise<number> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return performance.now() - started;
}
