import { cpus, loadavg } from 'node:os';
import type { Contender, ContenderSession } from './contenders/contender.js';
import { RedisServer } from './infra/redis-server.js';
import type { WorkerProcess } from './infra/worker-process.js';
import type { BenchReport, ContenderOutcome, RunFigures, WorkloadReport } from './report/figures.js';
import { ratiosOf } from './report/ratios.js';
import { judgeTargets } from './report/targets.js';
import type { Workload } from './workloads/workload.js';

export interface BenchOptions {
  mode: string;
  contenders: Contender[];
  workloads: Workload[];
  /** Tasks one worker process runs at once, for every contender. */
  concurrency: number;
  /** The contender compared with all others (ours). */
  subject?: string;
  logLevel?: string;
  redisServer?: string;
  /** Progress lines; silent when absent. */
  log?: (line: string) => void;
}

/**
 * Runs every workload for every contender in one go, each contender on its own redis-server, and
 * returns the figures, the subject's ratios to each other contender and the judged targets.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? (() => {});
  const subject = options.subject ?? 'foreman';
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = loadavg();
  const contenders = [];
  for (const contender of options.contenders) {
    contenders.push({
      name: contender.name,
      version: await contender.prepare(),
      description: contender.description,
    });
  }
  const servers = new Map<string, RedisServer>();
  try {
    for (const contender of options.contenders) {
      servers.set(contender.name, await RedisServer.start(options.redisServer));
    }
    const earlier = new Map<string, Record<string, RunFigures>>(options.contenders.map((c) => [c.name, {}]));
    const workloads: WorkloadReport[] = [];
    for (const workload of options.workloads) {
      const outcomes: Record<string, ContenderOutcome> = {};
      for (const contender of options.contenders) {
        if (workload.contenders && !workload.contenders.includes(contender.name)) continue;
        log(`${workload.id}: ${contender.name}…`);
        const redis = servers.get(contender.name)!;
        outcomes[contender.name] = await runOne(
          workload,
          contender,
          redis,
          earlier.get(contender.name)!,
          options,
        );
        const outcome = outcomes[contender.name]!;
        log(
          'figures' in outcome
            ? `${workload.id}: ${contender.name} processed ${outcome.figures.processed}/${outcome.figures.tasks} at ${Math.round(outcome.figures.processedPerSec)}/s`
            : `${workload.id}: ${contender.name} failed: ${outcome.error}`,
        );
      }
      workloads.push({
        id: workload.id,
        title: workload.title,
        size: workload.size,
        contenders: outcomes,
        ratios: ratiosOf(subject, outcomes),
      });
    }
    const redis = await servers.values().next().value?.version();
    return {
      version: 1,
      mode: options.mode,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        loadAverageAtStart,
        node: process.version,
        redis: redis ?? 'unknown',
        platform: `${process.platform} ${process.arch}`,
      },
      concurrency: options.concurrency,
      subject,
      contenders,
      workloads,
      targets: judgeTargets({ workloads, subject }),
    };
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
}

async function runOne(
  workload: Workload,
  contender: Contender,
  redis: RedisServer,
  earlier: Record<string, RunFigures>,
  options: BenchOptions,
): Promise<ContenderOutcome> {
  await redis.reset();
  try {
    const session = await contender.open({
      redisUrl: redis.url,
      concurrency: options.concurrency,
      logLevel: options.logLevel ?? 'info',
    });
    // A workload that throws must not leave its worker process behind.
    const started: WorkerProcess[] = [];
    const tracked: ContenderSession = {
      ...session,
      startWorker: async () => {
        const worker = await session.startWorker();
        started.push(worker);
        return worker;
      },
    };
    try {
      const figures = await workload.run({ contender: contender.name, session: tracked, redis, earlier });
      earlier[workload.id] = figures;
      return { figures };
    } finally {
      for (const worker of started) await worker.stop(10_000);
      await session.close();
    }
  } catch (error) {
    return { error: (error as Error).stack ?? String(error) };
  }
}
