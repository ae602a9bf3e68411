import type { TaskKind } from '../contenders/contender.js';
import { ServerCpu } from '../infra/cpu.js';
import { RssSampler } from '../infra/rss.js';
import { clock } from '../workers/progress-channel.js';
import { collectFigures } from './measure.js';
import type { Workload } from './workload.js';

/**
 * Submit `count` tasks through the bulk path with no worker running, then start one worker and
 * time the drain from its first task's start to its last task's end.
 */
export function bulkDrainWorkload(spec: {
  id: string;
  title: string;
  kind: TaskKind;
  count: number;
}): Workload {
  return {
    id: spec.id,
    title: spec.title,
    size: `${spec.count.toLocaleString('en')} tasks submitted in bulk, then drained`,
    async run(context) {
      const began = clock();
      await context.session.submitBulk(spec.kind, spec.count);
      const submitSeconds = (clock() - began) / 1000;
      const servers = ServerCpu.read(context.redis.pid);
      const worker = await context.session.startWorker();
      const sampler = new RssSampler(worker.pid, () => worker.done);
      await worker.waitForDone(spec.count);
      return collectFigures(context, worker, sampler, { tasks: spec.count, submitSeconds, servers });
    },
  };
}
