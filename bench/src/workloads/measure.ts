import { summarizeCommands } from '../infra/command-stats.js';
import type { ServerCpu } from '../infra/cpu.js';
import type { RssSampler } from '../infra/rss.js';
import type { WorkerProcess } from '../infra/worker-process.js';
import type { RunFigures } from '../report/figures.js';
import { percentiles } from '../stats/percentiles.js';
import type { WorkloadContext } from './workload.js';

export interface Measured {
  tasks: number;
  submitSeconds: number;
  offeredRatePerSec?: number;
  /** Keep per-task latencies (steady load); bulk runs only measure their backlog. */
  latency?: boolean;
  /** The servers' CPU read when the worker started. */
  servers?: ServerCpu;
}

/** Stops the worker and gathers one run's figures: rates, latencies, RSS, Redis and PostgreSQL. */
export async function collectFigures(
  context: WorkloadContext,
  worker: WorkerProcess,
  sampler: RssSampler,
  measured: Measured,
): Promise<RunFigures> {
  const processed = worker.done;
  const processSeconds =
    worker.first !== null && worker.last !== null ? (worker.last - worker.first) / 1000 : 0;
  const servers = measured.servers?.perTask(processed);
  const final = await worker.stop();
  sampler.stop();
  const database = await context.session.finish(final);
  const commands = summarizeCommands(await context.redis.commandCalls());
  const perTask = (value: number) => value / Math.max(1, measured.tasks);
  const figures: RunFigures = {
    tasks: measured.tasks,
    processed,
    submitSeconds: measured.submitSeconds,
    submittedPerSec: measured.tasks / Math.max(measured.submitSeconds, 1e-6),
    processSeconds,
    processedPerSec: processed / Math.max(processSeconds, 1e-6),
    peakRssMb: Math.max(final?.maxRssMb ?? 0, sampler.peakMb),
    ...(final?.cpuMs !== undefined && processed > 0
      ? { cpuUsPerTask: (final.cpuMs * 1000) / processed }
      : {}),
    ...(servers
      ? {
          serverCpuUsPerTask: {
            redis: servers.redisUs,
            postgres: servers.postgresUs,
            client: servers.clientUs,
            ...(servers.projectorUs > 0 ? { projector: servers.projectorUs } : {}),
          },
        }
      : {}),
    redis: {
      commandsPerTask: perTask(commands.total),
      top: commands.top.map(({ command, calls }) => ({ command, perTask: perTask(calls) })),
    },
    postgres: database
      ? {
          rowsInsertedPerTask: perTask(database.rowsInserted),
          rowsUpdatedPerTask: perTask(database.rowsUpdated),
          statementsPerTask: perTask(database.statements),
        }
      : null,
  };
  if (measured.offeredRatePerSec !== undefined) figures.offeredRatePerSec = measured.offeredRatePerSec;
  if (measured.latency) {
    const toStart = percentiles(worker.samples.map(([submitted, started]) => started - submitted));
    const toComplete = percentiles(worker.samples.map(([submitted, , completed]) => completed - submitted));
    figures.latencyMs = {
      ...(toStart ? { submitToStart: toStart } : {}),
      ...(toComplete ? { submitToComplete: toComplete } : {}),
    };
  }
  return figures;
}
