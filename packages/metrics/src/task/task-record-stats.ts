import { type Db, sql } from '@foreman/db';
import type { PercentileSummary } from '../window/sliding-window.js';
import type { TaskTypeSummary } from './task-type-summary.js';

interface SummaryRow extends Record<string, unknown> {
  name: string;
  queue: string;
  completed: string | number;
  failed: string | number;
  retried: string | number;
  d_count: string | number;
  d_mean: number | null;
  d_min: number | null;
  d_max: number | null;
  d_p50: number | null;
  d_p90: number | null;
  d_p95: number | null;
  d_p99: number | null;
  w_count: string | number;
  w_mean: number | null;
  w_min: number | null;
  w_max: number | null;
  w_p50: number | null;
  w_p90: number | null;
  w_p95: number | null;
  w_p99: number | null;
}

const percentileColumns = (column: string, alias: string) =>
  sql.raw(`count(${column}) as ${alias}_count, avg(${column})::float8 as ${alias}_mean,
    min(${column})::float8 as ${alias}_min, max(${column})::float8 as ${alias}_max,
    percentile_disc(0.5) within group (order by ${column})::float8 as ${alias}_p50,
    percentile_disc(0.9) within group (order by ${column})::float8 as ${alias}_p90,
    percentile_disc(0.95) within group (order by ${column})::float8 as ${alias}_p95,
    percentile_disc(0.99) within group (order by ${column})::float8 as ${alias}_p99`);

/**
 * Deployment-wide task summaries from the task records every worker writes: the same shape as a
 * worker's in-process windows, but over all replicas. Used by the api, alerting and the advisor.
 */
export class TaskRecordStats {
  constructor(private readonly db: Db) {}

  /** Over every task, or only `userId`'s when given. */
  async summaries(windowMs = 5 * 60_000, userId?: string): Promise<TaskTypeSummary[]> {
    const since = new Date(Date.now() - windowMs);
    const result = await this.db.execute<SummaryRow>(sql`
      select name, queue,
        count(*) filter (where status = 'completed') as completed,
        count(*) filter (where status = 'failed') as failed,
        count(*) filter (where status = 'retrying') as retried,
        ${percentileColumns('duration_ms', 'd')},
        ${percentileColumns('wait_ms', 'w')}
      from tasks
      where updated_at >= ${since}${userId === undefined ? sql`` : sql` and user_id = ${userId}`}
      group by name, queue
      order by name`);
    return result.rows.map((row) => {
      const completed = Number(row.completed);
      const failed = Number(row.failed);
      return {
        task: row.name,
        queue: row.queue,
        windowMs,
        completed,
        failed,
        retried: Number(row.retried),
        failureRate: completed + failed === 0 ? 0 : failed / (completed + failed),
        durationMs: percentiles(row, 'd'),
        waitMs: percentiles(row, 'w'),
        // Records do not carry per-attempt CPU or memory; the workers' own windows do.
        cpuMs: 0,
        memoryDeltaBytes: 0,
      };
    });
  }
}

function percentiles(row: SummaryRow, alias: 'd' | 'w'): PercentileSummary {
  const value = (key: string) => Number(row[`${alias}_${key}`] ?? 0);
  return {
    count: value('count'),
    mean: value('mean'),
    min: value('min'),
    max: value('max'),
    p50: value('p50'),
    p90: value('p90'),
    p95: value('p95'),
    p99: value('p99'),
  };
}
