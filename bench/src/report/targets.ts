import type { BenchReport, TargetReport, WorkloadReport } from './figures.js';

const figuresOf = (workload: WorkloadReport | undefined, contender: string) => {
  const outcome = workload?.contenders[contender];
  return outcome && 'figures' in outcome ? outcome.figures : undefined;
};

const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

/** The targets, each with the measured figure and whether it holds (null: not measured). */
export function judgeTargets(report: Pick<BenchReport, 'workloads' | 'subject'>): TargetReport[] {
  const { subject } = report;
  const byId = new Map(report.workloads.map((workload) => [workload.id, workload]));
  const targets: TargetReport[] = [];
  for (const id of ['noop', 'io']) {
    const workload = byId.get(id);
    if (!workload) continue;
    const vsBullmq = workload.ratios.bullmq?.processedPerSec ?? null;
    targets.push({
      target: `${id}: processed/s >= 90% of raw BullMQ`,
      measured: vsBullmq === null ? 'not measured' : pct(vsBullmq),
      met: vsBullmq === null ? null : vsBullmq >= 0.9,
      note: vsBullmq === null || vsBullmq >= 0.9 ? '' : `short by ${pct(0.9 - vsBullmq)} of BullMQ's rate`,
    });
    const vsCelery = workload.ratios.celery?.processedPerSec ?? null;
    targets.push({
      target: `${id}: processed/s >= 10x Celery`,
      measured: vsCelery === null ? 'not measured' : `${vsCelery.toFixed(1)}x`,
      met: vsCelery === null ? null : vsCelery >= 10,
      note: vsCelery === null || vsCelery >= 10 ? '' : `short by ${(10 - vsCelery).toFixed(1)}x`,
    });
  }
  const latency = figuresOf(byId.get('latency'), subject)?.latencyMs?.submitToStart;
  targets.push({
    target: 'latency: submit->start p99 < 25 ms at half load',
    measured: latency ? `${latency.p99.toFixed(1)} ms` : 'not measured',
    met: latency ? latency.p99 < 25 : null,
    note: latency && latency.p99 >= 25 ? `over by ${(latency.p99 - 25).toFixed(1)} ms` : '',
  });
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
