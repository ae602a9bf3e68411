import { hostname } from 'node:os';
import { checkWholeNumbers, type RedisConnection } from '@foreman/core';

/** What a running worker process says about itself every few seconds. */
export interface Heartbeat {
  service: string;
  queue: string;
  concurrency: number;
  instance: string;
  /** Epoch milliseconds of the last beat. */
  at: number;
}

export interface WorkerHeartbeatOptions {
  redis: RedisConnection;
  prefix: string;
  service: string;
  queue: string;
  concurrency: number;
  /**
   * Period of the beat; a worker silent for a few periods counts as gone.
   * @defaultValue {@link WORKER_HEARTBEAT_DEFAULTS}.intervalMs
   */
  intervalMs?: number;
}

/** The defaults of `WorkerHeartbeatOptions`, in one place. */
export const WORKER_HEARTBEAT_DEFAULTS = { intervalMs: 5_000 } as const;

export const heartbeatKey = (prefix: string) => `${prefix}:workers`;

/**
 * Beats into one Redis hash per deployment, so any app can tell which worker types are alive and
 * how much capacity each has (alerting's missing-heartbeat rule, the advisor's replica counts).
 */
export class WorkerHeartbeat {
  readonly instance = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  private timer: NodeJS.Timeout | undefined;

  private readonly intervalMs: number;

  constructor(private readonly options: WorkerHeartbeatOptions) {
    this.intervalMs = options.intervalMs ?? WORKER_HEARTBEAT_DEFAULTS.intervalMs;
    checkWholeNumbers('WorkerHeartbeat', { intervalMs: this.intervalMs });
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.options.redis.hdel(heartbeatKey(this.options.prefix), this.instance);
  }

  private async beat(): Promise<void> {
    const beat: Heartbeat = {
      service: this.options.service,
      queue: this.options.queue,
      concurrency: this.options.concurrency,
      instance: this.instance,
      at: Date.now(),
    };
    await this.options.redis.hset(heartbeatKey(this.options.prefix), this.instance, JSON.stringify(beat));
  }
}

/** Heartbeats newer than `maxAgeMs`; older entries (crashed processes) are removed on the way. */
export async function readHeartbeats(
  redis: RedisConnection,
  prefix: string,
  maxAgeMs = 30_000,
): Promise<Heartbeat[]> {
  const entries = await redis.hgetall(heartbeatKey(prefix));
  const now = Date.now();
  const alive: Heartbeat[] = [];
  const stale: string[] = [];
  for (const [instance, value] of Object.entries(entries)) {
    const beat = JSON.parse(value) as Heartbeat;
    if (now - beat.at <= maxAgeMs) alive.push(beat);
    else if (now - beat.at > 10 * maxAgeMs) stale.push(instance);
  }
  if (stale.length > 0) await redis.hdel(heartbeatKey(prefix), ...stale);
  return alive;
}
