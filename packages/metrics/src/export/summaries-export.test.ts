import type { TaskTypeSummary } from '../task/task-type-summary.js';
import { SUMMARY_CSV_COLUMNS, summariesToCsv, summariesToJson } from './summaries-export.js';

const percentiles = { count: 4, mean: 12.5, min: 5, max: 20, p50: 10, p90: 20, p95: 20, p99: 20 };
const summary: TaskTypeSummary = {
  task: 'email.send, "quoted"',
  queue: 'email',
  windowMs: 60_000,
  completed: 3,
  failed: 1,
  retried: 2,
  failureRate: 0.25,
  durationMs: percentiles,
  waitMs: { ...percentiles, p99: 1.23456 },
  cpuMs: 1.5,
  memoryDeltaBytes: 1024.4,
};

describe('summary export', () => {
  it('writes one CSV row per task type under a fixed header, quoting where needed', () => {
    const [header, row, end] = summariesToCsv([summary]).split('\r\n');
    expect(header).toBe(SUMMARY_CSV_COLUMNS.join(','));
    expect(row).toBe(
      '"email.send, ""quoted""",email,60000,3,1,2,0.25,4,12.5,10,20,20,20,20,4,12.5,10,20,20,1.235,20,1.5,1024',
    );
    expect(end).toBe('');
  });

  it('writes JSON with the time it was taken', () => {
    const parsed = JSON.parse(summariesToJson([summary], new Date('2026-01-01T00:00:00Z')));
    expect(parsed).toEqual({ generatedAt: '2026-01-01T00:00:00.000Z', tasks: [summary] });
  });
});
