import type { BenchReport, RunFigures, WorkloadReport } from './figures.js';

type Row = [
  label: string,
  pick: (figures: RunFigures) => number | undefined,
  format: (value: number) => string,
  ratioKey?: string,
];

const rate = (value: number) => Math.round(value).toLocaleString('en');
const ms = (value: number) => value.toFixed(1);
const two = (value: number) => value.toFixed(2);
const mb = (value: number) => value.toFixed(0);

const ROWS: Row[] = [
  ['tasks', (f) => f.tasks, rate],
  ['processed', (f) => f.processed, rate],
  ['offered rate /s', (f) => f.offeredRatePerSec, rate],
  ['submitted /s', (f) => f.submittedPerSec, rate, 'submittedPerSec'],
  ['processed /s', (f) => f.processedPerSec, rate, 'processedPerSec'],
  ['submit->start p50 ms', (f) => f.latencyMs?.submitToStart?.p50, ms],
  ['submit->start p95 ms', (f) => f.latencyMs?.submitToStart?.p95, ms],
  ['submit->start p99 ms', (f) => f.latencyMs?.submitToStart?.p99, ms, 'submitToStartP99Ms'],
  ['submit->complete p50 ms', (f) => f.latencyMs?.submitToComplete?.p50, ms],
  ['submit->complete p95 ms', (f) => f.latencyMs?.submitToComplete?.p95, ms],
  ['submit->complete p99 ms', (f) => f.latencyMs?.submitToComplete?.p99, ms, 'submitToCompleteP99Ms'],
  ['worker CPU µs / task', (f) => f.cpuUsPerTask, mb, 'cpuUsPerTask'],
  ['Redis server CPU µs / task', (f) => f.serverCpuUsPerTask?.redis, mb, 'redisCpuUsPerTask'],
  ['PostgreSQL CPU µs / task', (f) => f.serverCpuUsPerTask?.postgres, mb],
  ['client process CPU µs / task', (f) => f.serverCpuUsPerTask?.client, mb],
  ['record projector process CPU µs / task', (f) => f.serverCpuUsPerTask?.projector, mb],
  ['worker peak RSS MB', (f) => f.peakRssMb, mb, 'peakRssMb'],
  ['RSS after warm-up MB', (f) => f.rssFlatness?.baselineMb, mb],
  ['RSS at end MB', (f) => f.rssFlatness?.endMb, mb],
  ['RSS max above warm-up %', (f) => f.rssFlatness?.maxAbovePct, ms],
  ['Redis commands / task', (f) => f.redis.commandsPerTask, two, 'redisCommandsPerTask'],
  ['PG rows inserted / task', (f) => f.postgres?.rowsInsertedPerTask, two],
  ['PG rows updated / task', (f) => f.postgres?.rowsUpdatedPerTask, two],
  ['PG statements / task', (f) => f.postgres?.statementsPerTask, two],
];

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function workloadTable(workload: WorkloadReport, subject: string): string {
  const names = Object.keys(workload.contenders);
  const others = Object.keys(workload.ratios);
  const header = ['', ...names, ...others.map((other) => `${subject} / ${other}`)];
  const rows: string[][] = [];
  for (const [label, pick, format, ratioKey] of ROWS) {
    const cells = names.map((name) => {
      const outcome = workload.contenders[name]!;
      if (!('figures' in outcome)) return 'failed';
      const value = pick(outcome.figures);
      return value === undefined ? '–' : format(value);
    });
    if (cells.every((cell) => cell === '–' || cell === 'failed')) continue;
    const ratios = others.map((other) => {
      const ratio = ratioKey ? workload.ratios[other]?.[ratioKey] : null;
      return ratio === null || ratio === undefined ? '' : `${ratio.toFixed(2)}x`;
    });
    rows.push([label, ...cells, ...ratios]);
  }
  const failures = names
    .map((name) => [name, workload.contenders[name]!] as const)
    .filter(([, outcome]) => 'error' in outcome)
    .map(
      ([name, outcome]) => `\n\n${name} failed: ${'error' in outcome ? outcome.error.split('\n')[0] : ''}`,
    );
  return `### ${workload.title}\n\n${workload.size}.\n\n${table(header, rows)}${failures.join('')}`;
}

/** The report as markdown: the run's context, one table per workload, then the targets. */
export function toMarkdown(report: BenchReport): string {
  const { machine } = report;
  const intro = [
    `Mode \`${report.mode}\`, ${report.startedAt}; ${machine.cpus} CPUs (load average at start ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}), Node ${machine.node}, Redis ${machine.redis}; concurrency ${report.concurrency} per worker.`,
    '',
    ...report.contenders.map((c) => `- **${c.name}** (${c.version}): ${c.description}`),
  ].join('\n');
  const targets = table(
    ['target', 'measured', 'met', 'note'],
    report.targets.map((t) => [t.target, t.measured, t.met === null ? 'n/a' : t.met ? 'yes' : 'no', t.note]),
  );
  return [
    intro,
    ...report.workloads.map((w) => workloadTable(w, report.subject)),
    `### Targets\n\n${targets}`,
  ].join('\n\n');
}
