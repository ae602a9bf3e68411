// `pnpm --filter @foreman/bench bench [--short|--full] [--contenders a,b] [--workloads a,b]`:
// runs the suite, prints the markdown table and writes both files to bench/results/.
import { parseArgs } from 'node:util';
import { loadBenchEnv } from './env.js';
import { type BenchMode, resolveContenders, runBench, standardWorkloads, writeReport } from './index.js';

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    contenders: { type: 'string', default: 'foreman,bullmq,celery' },
    workloads: { type: 'string', default: 'noop,io,latency,soak' },
    'soak-contenders': { type: 'string', default: 'foreman' },
    concurrency: { type: 'string', default: '32' },
    'log-level': { type: 'string', default: 'info' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: pnpm bench [--short|--full] [options]

  --short | --full        sizes: a smoke run, or the larger one (default: the standard sizes)
  --contenders a,b        foreman, bullmq, celery (default: all three)
  --workloads a,b         noop, io, latency, soak (default: all; latency adds io)
  --soak-contenders a,b   who runs the soak (default: foreman)
  --concurrency N         slots per worker (default: 32)
  --log-level L           our worker's LOG_LEVEL (default: info)
  --out DIR               where the JSON and markdown reports go (default: bench/results)

Figures: docs/benchmarks.md.`);
  process.exit(0);
}

const mode: BenchMode = values.full ? 'full' : values.short ? 'short' : 'default';
const env = loadBenchEnv();
const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
const wanted = new Set(list(values.workloads));
// The latency workload offers half of the io workload's measured rate; alone it would offer its
// upper bound (100,000/s open loop) and drown the submitter.
if (wanted.has('latency') && !wanted.has('io')) {
  wanted.add('io');
  console.error("latency offers a share of the io workload's rate: running io before it");
}
const concurrency = Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1)
  throw new Error('--concurrency must be a positive whole number');

const report = await runBench({
  mode,
  contenders: resolveContenders(list(values.contenders), env),
  workloads: standardWorkloads(mode, list(values['soak-contenders'])).filter((w) => wanted.has(w.id)),
  concurrency,
  logLevel: values['log-level'],
  redisServer: env.BENCH_REDIS_SERVER,
  log: (line) => console.error(line),
});
const written = await writeReport(report, values.out);
console.log(written.markdown);
console.error(`\nwrote ${written.jsonPath} and ${written.markdownPath}`);
