import { ServerCpu } from '../infra/cpu.js';
import { RssSampler } from '../infra/rss.js';
import { clock } from '../workers/progress-channel.js';
import { collectFigures } from './measure.js';
import type { Workload } from './workload.js';

export interface SteadyLatencySpec {
  id: string;
  title: string;
  seconds: number;
  /** The earlier workload whose processed rate is the contender's capacity. */
  capacityFrom: string;
  /** Fraction of that capacity to offer. */
  loadFraction: number;
  /** Rate used when the capacity workload did not run; also an upper bound (short runs). */
  maxRatePerSec: number;
}

/**
 * One task at a time at a fixed rate (a fraction of the contender's measured capacity) into a
 * running worker; each task's submit->start and submit->complete are recorded.
 */
export function steadyLatencyWorkload(spec: SteadyLatencySpec): Workload {
  return {
    id: spec.id,
    title: spec.title,
    size: `1 KB / 5 ms tasks at ${Math.round(spec.loadFraction * 100)}% of each contender's measured capacity for ${spec.seconds} s`,
    async run(context) {
      const capacity = context.earlier[spec.capacityFrom]?.processedPerSec;
      const rate = Math.max(
        1,
        Math.min(spec.maxRatePerSec, capacity ? capacity * spec.loadFraction : spec.maxRatePerSec),
      );
      const servers = ServerCpu.read(context.redis.pid);
      const worker = await context.session.startWorker();
      const sampler = new RssSampler(worker.pid, () => worker.done);
      const began = clock();
      const tasks = await context.session.submitSteady('io', rate, spec.seconds);
      const submitSeconds = (clock() - began) / 1000;
      await worker.waitForDone(tasks);
      return collectFigures(context, worker, sampler, {
        tasks,
        submitSeconds,
        offeredRatePerSec: rate,
        latency: true,
        servers,
      });
    },
  };
}
