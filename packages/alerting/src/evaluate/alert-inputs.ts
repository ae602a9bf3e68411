import { QuarantineLog, type RedisConnection } from '@foreman/core';
import { type Db, sql } from '@foreman/db';
import {
  type Heartbeat,
  type QueueDepth,
  QueueMetrics,
  readHeartbeats,
  TaskRecordStats,
  type TaskTypeSummary,
} from '@foreman/metrics';

export interface AlertInputsOptions {
  db: Db;
  redis: RedisConnection;
  prefix: string;
}

/**
 * The measurements rules are evaluated against, read once per evaluation and shared by all rules
 * (task summaries per window, queue depths, heartbeats, dead letters). Deployment-wide: task
 * records and dead letters from PostgreSQL, queues and heartbeats from Redis.
 */
export class AlertInputs {
  private readonly stats: TaskRecordStats;
  private readonly summaries = new Map<number, Promise<TaskTypeSummary[]>>();
  private readonly depths = new Map<string, Promise<QueueDepth>>();
  private heartbeats: Promise<Heartbeat[]> | undefined;
  private readonly quarantine: QuarantineLog;

  constructor(private readonly options: AlertInputsOptions) {
    this.stats = new TaskRecordStats(options.db);
    this.quarantine = new QuarantineLog({ connection: options.redis, prefix: options.prefix });
  }

  /** Rows the database refused within the window, across every api and worker (`QuarantineLog`). */
  quarantinedRecords(windowMs: number): Promise<number> {
    return this.quarantine.count(windowMs);
  }

  async taskSummary(task: string, windowMs: number): Promise<TaskTypeSummary | undefined> {
    let summaries = this.summaries.get(windowMs);
    if (!summaries) {
      summaries = this.stats.summaries(windowMs);
      this.summaries.set(windowMs, summaries);
    }
    return (await summaries).find((summary) => summary.task === task);
  }

  async queueDepth(queue: string): Promise<QueueDepth> {
    let depth = this.depths.get(queue);
    if (!depth) {
      depth = (async () => {
        const reader = new QueueMetrics({
          connection: this.options.redis,
          prefix: this.options.prefix,
          queues: [queue],
          db: this.options.db,
        });
        try {
          const [found] = await reader.depths();
          return found as QueueDepth;
        } finally {
          await reader.close();
        }
      })();
      this.depths.set(queue, depth);
    }
    return depth;
  }

  /** Newest heartbeat of any instance of `service`, or undefined when none was ever seen. */
  async lastHeartbeat(service: string): Promise<Heartbeat | undefined> {
    this.heartbeats ??= readHeartbeats(this.options.redis, this.options.prefix, Number.MAX_SAFE_INTEGER);
    return (await this.heartbeats).filter((beat) => beat.service === service).sort((a, b) => b.at - a.at)[0];
  }

  /** Tasks that died (joined the dead letters) within the window. */
  async newDeadLetters(windowMs: number, queue: string | undefined): Promise<number> {
    const since = new Date(Date.now() - windowMs);
    const result = await this.options.db.execute<{ count: string | number }>(
      sql`select count(*) as count from dead_letters where failed_at >= ${since}${queue ? sql` and queue = ${queue}` : sql``}`,
    );
    return Number(result.rows[0]?.count ?? 0);
  }
}
