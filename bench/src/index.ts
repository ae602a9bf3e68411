export { bullmqContender } from './contenders/bullmq-contender.js';
export { celeryContender } from './contenders/celery-contender.js';
export type {
  Contender,
  ContenderContext,
  ContenderSession,
  DatabaseFigures,
  TaskKind,
} from './contenders/contender.js';
export { type ForemanContenderOptions, foremanContender } from './contenders/foreman-contender.js';
export { submitPaced } from './contenders/pace.js';
export { IO_DATA, IO_PAYLOAD_BYTES, IO_WAIT_MS, payloadOf } from './contenders/payloads.js';
export { resolveContenders } from './contenders/resolve-contenders.js';
export { type BenchEnv, benchEnvSchema, loadBenchEnv } from './env.js';
export {
  type KeyedOverheadFigures,
  type KeyedOverheadOptions,
  keyedOverheadMarkdown,
  runKeyedOverheadBench,
} from './fairness/keyed-overhead.js';
export {
  type FairnessBenchOptions,
  type FairnessFigures,
  fairnessMarkdown,
  runFairnessBench,
} from './fairness/run-fairness.js';
export { RedisServer } from './infra/redis-server.js';
export { type RssSample, RssSampler, readRssMb } from './infra/rss.js';
export { type WorkerFinal, WorkerProcess, type WorkerProcessOptions } from './infra/worker-process.js';
export { BENCH_MODES, type BenchMode, SIZES, standardWorkloads } from './plan.js';
export type {
  BenchReport,
  ContenderOutcome,
  RunFigures,
  TargetReport,
  WorkloadReport,
} from './report/figures.js';
export { toMarkdown } from './report/markdown.js';
export { judgeTargets } from './report/targets.js';
export { RESULTS_DIR, writeReport } from './report/write-report.js';
export { type BenchOptions, runBench } from './run-bench.js';
export { type Percentiles, percentiles } from './stats/percentiles.js';
export { type RssFlatness, rssFlatness } from './stats/rss-flatness.js';
export { clock, type LatencySample, ProgressChannel } from './workers/progress-channel.js';
export { bulkDrainWorkload } from './workloads/bulk-drain.js';
export { collectFigures, type Measured } from './workloads/measure.js';
export { soakWorkload } from './workloads/soak.js';
export { steadyLatencyWorkload } from './workloads/steady-latency.js';
export type { Workload, WorkloadContext } from './workloads/workload.js';
