import { setTimeout as sleep } from 'node:timers/promises';
import { ServerCpu } from '../infra/cpu.js';
import { RssSampler } from '../infra/rss.js';
import { rssFlatness } from '../stats/rss-flatness.js';
import { clock } from '../workers/progress-channel.js';
import { collectFigures } from './measure.js';
import type { Workload } from './workload.js';

export interface SoakSpec {
  id: string;
  title: string;
  count: number;
  /** Bulk submissions of this many tasks, keeping at most `window` waiting. */
  chunk: number;
  window: number;
  /** The RSS sampling interval. */
  sampleMs: number;
  warmupFraction: number;
  contenders?: string[];
}

/** Many no-op tasks through one worker process while its RSS is sampled; judged after warm-up. */
export function soakWorkload(spec: SoakSpec): Workload {
  return {
    id: spec.id,
    title: spec.title,
    size: `${spec.count.toLocaleString('en')} no-op tasks through one worker, at most ${spec.window.toLocaleString('en')} waiting`,
    ...(spec.contenders ? { contenders: spec.contenders } : {}),
    async run(context) {
      const servers = ServerCpu.read(context.redis.pid);
      const worker = await context.session.startWorker();
      const sampler = new RssSampler(worker.pid, () => worker.done, spec.sampleMs);
      const began = clock();
      let submitted = 0;
      while (submitted < spec.count) {
        if (submitted - worker.done >= spec.window) {
          await sleep(10);
          continue;
        }
        const size = Math.min(spec.chunk, spec.count - submitted);
        await context.session.submitBulk('noop', size);
        submitted += size;
      }
      const submitSeconds = (clock() - began) / 1000;
      await worker.waitForDone(spec.count);
      const figures = await collectFigures(context, worker, sampler, {
        tasks: spec.count,
        submitSeconds,
        servers,
      });
      const flatness = rssFlatness(sampler.samples, spec.count, spec.warmupFraction);
      if (flatness) figures.rssFlatness = flatness;
      return figures;
    },
  };
}
