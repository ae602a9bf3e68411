import type { BenchReport, TargetReport, WorkloadReport } from './figures.js';

const figuresOf = (workload: WorkloadReport | undefined, contender: string) => {
  const outcome = workload?.contenders[contender];
  return outcome && 'figures' in outcome ? outcome.figures : undefined;
};

const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

/** A ratio of ours to raw BullMQ's, judged against a bound (`atLeast`: ours must reach it). */
function versusBullmq(
  target: string,
  ratio: number | null | undefined,
  bound: number,
  atLeast: boolean,
  show: (ratio: number) => string = (value) => `${value.toFixed(2)}x`,
): TargetReport {
  if (ratio === null || ratio === undefined) return { target, measured: 'not measured', met: null, note: '' };
  const met = atLeast ? ratio >= bound : ratio <= bound;
  const note = met ? '' : atLeast ? `short by ${show(bound - ratio)}` : `over by ${show(ratio - bound)}`;
  return { target, measured: show(ratio), met, note };
}

/** The Queue-first targets, each with the measured figure and whether it holds (null: not measured). */
export function judgeTargets(report: Pick<BenchReport, 'workloads' | 'subject'>): TargetReport[] {
  const { subject } = report;
  const byId = new Map(report.workloads.map((workload) => [workload.id, workload]));
  const targets: TargetReport[] = [];
  for (const id of ['noop', 'io']) {
    const ratios = byId.get(id)?.ratios.bullmq;
    targets.push(
      versusBullmq(`${id}: processed/s >= 80% of raw BullMQ`, ratios?.processedPerSec, 0.8, true, pct),
      versusBullmq(`${id}: worker CPU / task <= 1.25x raw BullMQ`, ratios?.cpuUsPerTask, 1.25, false),
      versusBullmq(`${id}: worker peak RSS <= 1.3x raw BullMQ`, ratios?.peakRssMb, 1.3, false),
    );
  }
  targets.push(
    versusBullmq(
      'noop: bulk submit >= 80% of raw BullMQ',
      byId.get('noop')?.ratios.bullmq?.submittedPerSec,
      0.8,
      true,
      pct,
    ),
  );
  const latency = byId.get('latency');
  const p50 = (name: string) => figuresOf(latency, name)?.latencyMs?.submitToStart?.p50;
  const ours = p50(subject);
  const theirs = p50('bullmq');
  targets.push(
    versusBullmq(
      'latency: submit->start p99 <= 1.5x raw BullMQ',
      latency?.ratios.bullmq?.submitToStartP99Ms,
      1.5,
      false,
    ),
    versusBullmq(
      'latency: submit->start p50 <= 2x raw BullMQ',
      ours !== undefined && theirs !== undefined && theirs > 0 ? ours / theirs : null,
      2,
      false,
    ),
  );
  const soak = figuresOf(byId.get('soak'), subject)?.rssFlatness;
  targets.push({
    target: 'soak: RSS within 10% after warm-up',
    measured: soak
      ? `max +${soak.maxAbovePct.toFixed(1)}%, end ${soak.driftPct >= 0 ? '+' : ''}${soak.driftPct.toFixed(1)}% of ${soak.baselineMb.toFixed(0)} MB`
      : 'not measured',
    met: soak ? soak.maxAbovePct <= 10 : null,
    note: soak && soak.maxAbovePct > 10 ? `peak over by ${(soak.maxAbovePct - 10).toFixed(1)} points` : '',
  });
  return targets;
}
