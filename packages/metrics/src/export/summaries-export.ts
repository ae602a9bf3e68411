import type { TaskTypeSummary } from '../task/task-type-summary.js';

const QUANTILES = ['count', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'] as const;

export const SUMMARY_CSV_COLUMNS = [
  'task',
  'queue',
  'window_ms',
  'completed',
  'failed',
  'retried',
  'failure_rate',
  ...QUANTILES.map((q) => `duration_ms_${q}`),
  ...QUANTILES.map((q) => `wait_ms_${q}`),
  'cpu_ms',
  'memory_delta_bytes',
];

/** Summaries as JSON, stamped with when they were taken. */
export function summariesToJson(summaries: TaskTypeSummary[], at = new Date()): string {
  return JSON.stringify({ generatedAt: at.toISOString(), tasks: summaries }, null, 2);
}

/** Summaries as RFC 4180 CSV, one row per task type. */
export function summariesToCsv(summaries: TaskTypeSummary[]): string {
  const rows = summaries.map((summary) => [
    summary.task,
    summary.queue,
    summary.windowMs,
    summary.completed,
    summary.failed,
    summary.retried,
    round(summary.failureRate),
    ...QUANTILES.map((q) => round(summary.durationMs[q])),
    ...QUANTILES.map((q) => round(summary.waitMs[q])),
    round(summary.cpuMs),
    Math.round(summary.memoryDeltaBytes),
  ]);
  return `${[SUMMARY_CSV_COLUMNS, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

const round = (value: number) => Math.round(value * 1_000) / 1_000;

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
