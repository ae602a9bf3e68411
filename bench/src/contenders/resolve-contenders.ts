import type { BenchEnv } from '../env.js';
import { bullmqContender } from './bullmq-contender.js';
import { celeryContender } from './celery-contender.js';
import type { Contender } from './contender.js';
import { foremanContender } from './foreman-contender.js';

/** The standard contenders by name, in the order given. */
export function resolveContenders(names: string[], env: BenchEnv): Contender[] {
  const known: Record<string, () => Contender> = {
    foreman: () => foremanContender(),
    bullmq: () => bullmqContender,
    celery: () => celeryContender(env.BENCH_PYTHON),
  };
  return names.map((name) => {
    const make = known[name];
    if (!make) throw new Error(`Unknown contender "${name}"; known: ${Object.keys(known).join(', ')}`);
    return make();
  });
}
