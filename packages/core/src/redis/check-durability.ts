import type { RedisConnection } from './create-redis.js';

/**
 * What in a Redis server's settings can lose queued tasks: no append-only file (a restart loses
 * everything since the last snapshot) or an eviction policy (memory pressure deletes jobs).
 * Returns one warning per problem; `unknown` when the server refuses CONFIG (managed services).
 */
export async function checkRedisDurability(
  redis: RedisConnection,
): Promise<{ warnings: string[]; unknown?: string }> {
  let settings: Record<string, string>;
  try {
    const reply = (await redis.config('GET', 'appendonly', 'maxmemory-policy')) as string[];
    settings = {};
    for (let i = 0; i + 1 < reply.length; i += 2) settings[reply[i] as string] = reply[i + 1] as string;
  } catch (error) {
    return { warnings: [], unknown: (error as Error).message };
  }
  const warnings: string[] = [];
  if (settings.appendonly !== 'yes') {
    warnings.push('appendonly is off: tasks queued since the last snapshot are lost if Redis restarts');
  }
  const policy = settings['maxmemory-policy'];
  if (policy !== undefined && policy !== 'noeviction') {
    warnings.push(`maxmemory-policy is ${policy}: Redis may evict queued tasks under memory pressure`);
  }
  return { warnings };
}
