import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BenchReport,
  loadBenchEnv,
  resolveContenders,
  runBench,
  standardWorkloads,
  writeReport,
} from '../src/index.js';

// Keeps the harness working: the short run of every workload and contender, checked for
// structure and completeness. Timings are printed by the bench, never asserted here.
describe('bench, short mode', () => {
  let dir: string;
  let report: BenchReport;
  let written: Awaited<ReturnType<typeof writeReport>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'foreman-bench-'));
    const env = loadBenchEnv();
    report = await runBench({
      mode: 'short',
      contenders: resolveContenders(['foreman', 'bullmq', 'celery'], env),
      workloads: standardWorkloads('short', ['foreman']),
      concurrency: 8,
      redisServer: env.BENCH_REDIS_SERVER,
    });
    written = await writeReport(report, dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs every workload for its contenders and processes every task', () => {
    expect(report.workloads.map((workload) => workload.id)).toEqual(['noop', 'io', 'latency', 'soak']);
    for (const workload of report.workloads) {
      const expected = workload.id === 'soak' ? ['foreman'] : ['foreman', 'bullmq', 'celery'];
      expect(Object.keys(workload.contenders)).toEqual(expected);
      for (const [name, outcome] of Object.entries(workload.contenders)) {
        if (!('figures' in outcome)) throw new Error(`${workload.id}/${name} failed: ${outcome.error}`);
        expect(outcome.figures.tasks).toBeGreaterThan(0);
        expect(outcome.figures.processed).toBe(outcome.figures.tasks);
        expect(outcome.figures.peakRssMb).toBeGreaterThan(0);
        expect(outcome.figures.cpuUsPerTask).toBeGreaterThan(0);
        expect(outcome.figures.redis.commandsPerTask).toBeGreaterThan(0);
      }
    }
  });

  it('records latencies under steady load and RSS flatness in the soak', () => {
    const latency = report.workloads.find((workload) => workload.id === 'latency')!;
    for (const outcome of Object.values(latency.contenders)) {
      if (!('figures' in outcome)) throw new Error('latency run failed');
      expect(outcome.figures.latencyMs?.submitToStart?.count).toBe(outcome.figures.tasks);
      expect(outcome.figures.latencyMs?.submitToComplete?.count).toBe(outcome.figures.tasks);
    }
    const soak = report.workloads.find((workload) => workload.id === 'soak')!.contenders.foreman!;
    expect('figures' in soak && soak.figures.rssFlatness?.samples).toBeGreaterThanOrEqual(2);
  });

  it('counts our PostgreSQL writes and no one else has any', () => {
    for (const workload of report.workloads) {
      const ours = workload.contenders.foreman!;
      if (!('figures' in ours)) throw new Error('foreman run failed');
      // Every task gets one row; later steps update it. PostgreSQL also counts the tuples of a
      // statement that failed and was retried (the writer retries a failed flush), so allow a hair.
      expect(ours.figures.postgres?.rowsInsertedPerTask).toBeGreaterThanOrEqual(1);
      expect(ours.figures.postgres?.rowsInsertedPerTask).toBeLessThan(1.05);
      expect(ours.figures.postgres?.statementsPerTask).toBeGreaterThan(0);
      expect(ours.figures.serverCpuUsPerTask).toBeDefined();
    }
    // Our records cost PostgreSQL time and the queue costs redis-server time (summed over the
    // workloads: /proc counts in 10 ms ticks, which one short workload may not fill).
    const servers = report.workloads.map((w) => w.contenders.foreman!).filter((o) => 'figures' in o);
    const sum = (pick: (cpu: { redis: number; postgres: number }) => number) =>
      servers.reduce(
        (total, o) => total + pick(o.figures.serverCpuUsPerTask ?? { redis: 0, postgres: 0 }),
        0,
      );
    expect(sum((cpu) => cpu.postgres)).toBeGreaterThan(0);
    expect(sum((cpu) => cpu.redis)).toBeGreaterThan(0);
    for (const workload of report.workloads.filter((w) => w.id !== 'soak')) {
      const raw = workload.contenders.bullmq!;
      expect('figures' in raw && raw.figures.postgres).toBeNull();
    }
  });

  it('compares us with each contender and judges every target', () => {
    const noop = report.workloads[0]!;
    expect(Object.keys(noop.ratios)).toEqual(['bullmq', 'celery']);
    expect(noop.ratios.bullmq!.processedPerSec).toBeGreaterThan(0);
    expect(report.targets.map((target) => target.target)).toEqual([
      'noop: processed/s >= 80% of raw BullMQ',
      'noop: worker CPU / task <= 1.25x raw BullMQ',
      'noop: worker peak RSS <= 1.3x raw BullMQ',
      'io: processed/s >= 80% of raw BullMQ',
      'io: worker CPU / task <= 1.25x raw BullMQ',
      'io: worker peak RSS <= 1.3x raw BullMQ',
      'noop: bulk submit >= 80% of raw BullMQ',
      'latency: submit->start p99 <= 1.5x raw BullMQ',
      'latency: submit->start p50 <= 2x raw BullMQ',
      'soak: RSS within 10% after warm-up',
    ]);
    for (const target of report.targets) expect(typeof target.met).toBe('boolean');
  });

  it('writes the JSON and the markdown table', async () => {
    const json = JSON.parse(await readFile(written.jsonPath, 'utf8')) as BenchReport;
    expect(json.workloads).toHaveLength(4);
    expect(json.mode).toBe('short');
    const markdown = await readFile(written.markdownPath, 'utf8');
    expect(markdown).toContain('| processed /s |');
    expect(markdown).toContain('foreman / bullmq');
    expect(markdown).toContain('### Targets');
  });
});
