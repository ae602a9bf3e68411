import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** A single Redis server or a Redis Cluster; BullMQ, the client and the workers take either. */
export type RedisConnection = Redis | Cluster;

export interface CreateRedisOptions {
  /** Connect to a Redis Cluster through the given seed node(s); implied by more than one URL. */
  cluster?: boolean;
}

/**
 * A Redis connection for BullMQ: commands wait through reconnects instead of failing, which is
 * what queues and workers need (BullMQ requires maxRetriesPerRequest: null for workers).
 * `url` is one redis:// URL, or comma-separated seed nodes of a cluster.
 */
export function createRedis(url: string, { cluster = false }: CreateRedisOptions = {}): RedisConnection {
  const urls = url
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const options: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true };
  if (!cluster && urls.length === 1) return new Redis(urls[0]!, options);
  const seeds = urls.map((seed) => new URL(seed));
  const first = seeds[0]!;
  return new Cluster(
    seeds.map((seed) => ({ host: seed.hostname, port: Number(seed.port || 6379) })),
    {
      enableReadyCheck: true,
      redisOptions: {
        ...options,
        username: decodeURIComponent(first.username) || undefined,
        password: decodeURIComponent(first.password) || undefined,
        tls: first.protocol === 'rediss:' ? {} : undefined,
      },
    },
  );
}

/** A second connection to the same server or cluster, e.g. for a subscriber. */
export function duplicateRedis(connection: RedisConnection): RedisConnection {
  return connection instanceof Cluster ? connection.duplicate() : connection.duplicate();
}
