import type { RedisConnection } from '@foreman/core';
import { type Db, sql } from '@foreman/db';
import { readHeartbeats } from '../heartbeat/worker-heartbeat.js';
import { QueueMetrics } from '../queue/queue-metrics.js';
import { linearForecast } from './linear-forecast.js';
import type { AdvisorReport, QueueAdvice } from './queue-advice.js';

export interface QueueAdvisorOptions {
  db: Db;
  redis: RedisConnection;
  prefix: string;
  queues: string[];
  /** Span of the records the rates and the trend come from. */
  windowMs?: number;
  /** Spacing of the backlog samples the trend is fitted to. */
  bucketMs?: number;
  /** How far ahead the backlog is forecast. */
  horizonMs?: number;
  /** Utilization the suggested capacity aims for; headroom for bursts. */
  targetUtilization?: number;
}

const DEFAULTS = { windowMs: 15 * 60_000, bucketMs: 60_000, horizonMs: 15 * 60_000, targetUtilization: 0.7 };

interface RateRow extends Record<string, unknown> {
  arrivals: string | number;
  finished: string | number;
  mean_ms: number | null;
}

interface BacklogRow extends Record<string, unknown> {
  at: Date | string;
  backlog: string | number;
}

/**
 * Capacity advice from the recorded metrics: per queue the arrival rate λ and mean service time
 * E[S] from the task records, the live slots from worker heartbeats, utilization ρ = λ·E[S]/slots,
 * the slots needed for a target ρ, and a forecast of the backlog from its trend over the window.
 */
export class QueueAdvisor {
  private readonly settings: typeof DEFAULTS;

  constructor(private readonly options: QueueAdvisorOptions) {
    this.settings = {
      windowMs: options.windowMs ?? DEFAULTS.windowMs,
      bucketMs: options.bucketMs ?? DEFAULTS.bucketMs,
      horizonMs: options.horizonMs ?? DEFAULTS.horizonMs,
      targetUtilization: options.targetUtilization ?? DEFAULTS.targetUtilization,
    };
  }

  async report(now = Date.now()): Promise<AdvisorReport> {
    const beats = await readHeartbeats(this.options.redis, this.options.prefix);
    const reader = new QueueMetrics({
      connection: this.options.redis,
      prefix: this.options.prefix,
      queues: this.options.queues,
      db: this.options.db,
    });
    let depths: Awaited<ReturnType<QueueMetrics['depths']>>;
    try {
      depths = await reader.depths();
    } finally {
      await reader.close();
    }
    const queues: QueueAdvice[] = [];
    for (const queue of this.options.queues) {
      const live = beats.filter((beat) => beat.queue === queue);
      const depth = depths.find((found) => found.queue === queue);
      queues.push(
        await this.advise(queue, now, {
          replicas: live.length,
          concurrency: Math.max(0, ...live.map((beat) => beat.concurrency)),
          slots: live.reduce((sum, beat) => sum + beat.concurrency, 0),
          backlog: depth ? depth.waiting + depth.prioritized : 0,
        }),
      );
    }
    return { generatedAt: new Date(now).toISOString(), bottleneck: bottleneckOf(queues), queues };
  }

  private async advise(
    queue: string,
    now: number,
    current: { replicas: number; concurrency: number; slots: number; backlog: number },
  ): Promise<QueueAdvice> {
    const { windowMs, bucketMs, horizonMs, targetUtilization } = this.settings;
    const since = new Date(now - windowMs);
    const until = new Date(now);
    const [rates] = (
      await this.options.db.execute<RateRow>(sql`
        select
          count(*) filter (where created_at >= ${since}) as arrivals,
          count(*) filter (where completed_at >= ${since} and status in ('completed', 'failed')) as finished,
          (avg(duration_ms) filter (where completed_at >= ${since} and status in ('completed', 'failed')))::float8 as mean_ms
        from tasks
        where queue = ${queue} and (created_at >= ${since} or completed_at >= ${since})`)
    ).rows;
    // Backlog at each bucket: submitted by then and not yet started (a task still pending counts).
    const backlogRows = (
      await this.options.db.execute<BacklogRow>(sql`
        select b.at, count(t.id) as backlog
        from generate_series(${since}::timestamptz, ${until}::timestamptz, ${`${bucketMs} milliseconds`}::interval) as b(at)
        left join tasks t on t.queue = ${queue}
          and t.created_at <= b.at
          and t.created_at >= ${new Date(now - 2 * windowMs)}
          and (t.started_at > b.at or (t.started_at is null and t.status = 'pending'))
        group by b.at order by b.at`)
    ).rows;
    const seconds = windowMs / 1_000;
    const arrivalRate = Number(rates?.arrivals ?? 0) / seconds;
    const meanServiceMs = Number(rates?.mean_ms ?? 0);
    const offered = arrivalRate * (meanServiceMs / 1_000);
    const utilization = current.slots > 0 ? offered / current.slots : null;
    const slots = arrivalRate > 0 ? Math.max(1, Math.ceil(offered / targetUtilization)) : 0;
    const perReplica = current.concurrency > 0 ? current.concurrency : 1;
    const replicas = Math.ceil(slots / perReplica);
    const samples = backlogRows.map((row) => ({ t: new Date(row.at).getTime(), y: Number(row.backlog) }));
    samples.push({ t: now, y: current.backlog });
    return {
      queue,
      windowMs,
      arrivalRatePerSecond: arrivalRate,
      throughputPerSecond: Number(rates?.finished ?? 0) / seconds,
      meanServiceMs,
      workers: { replicas: current.replicas, concurrency: current.concurrency, slots: current.slots },
      utilization,
      backlog: current.backlog,
      suggestion: {
        targetUtilization,
        slots,
        replicas,
        concurrencyPerReplica: perReplica,
        reason:
          arrivalRate === 0
            ? 'no arrivals in the window: no capacity needed beyond one idle worker'
            : `λ ${arrivalRate.toFixed(3)}/s × E[S] ${(meanServiceMs / 1_000).toFixed(3)} s = ${offered.toFixed(2)} busy slots on average; at ${targetUtilization * 100}% target that needs ${slots} slots = ${replicas} × concurrency ${perReplica}`,
      },
      forecast: { ...linearForecast(samples, now + horizonMs), horizonMs },
    };
  }
}

function bottleneckOf(queues: QueueAdvice[]): AdvisorReport['bottleneck'] {
  const loaded = queues.filter((queue) => queue.arrivalRatePerSecond > 0 || queue.backlog > 0);
  if (loaded.length === 0) return null;
  const pressure = (queue: QueueAdvice) => queue.utilization ?? Number.POSITIVE_INFINITY;
  const worst = loaded.reduce((a, b) => (pressure(b) > pressure(a) ? b : a));
  const reason =
    worst.utilization === null
      ? `no live worker consumes it while ${worst.backlog} jobs wait`
      : `utilization ${(worst.utilization * 100).toFixed(0)}% (λ ${worst.arrivalRatePerSecond.toFixed(3)}/s vs ${worst.workers.slots} slots × ${(1_000 / Math.max(worst.meanServiceMs, 1)).toFixed(2)}/s each), backlog ${worst.backlog}, trend ${(worst.forecast.slopePerSecond * 60).toFixed(1)}/min`;
  return { queue: worst.queue, reason };
}
