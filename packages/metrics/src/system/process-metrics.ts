import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Meter } from '@opentelemetry/api';

/** CPU, memory and event-loop delay of this process. */
export class ProcessMetrics {
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });

  constructor(meter: Meter) {
    this.loopDelay.enable();
    meter
      .createObservableCounter('foreman_process_cpu_seconds', { description: 'CPU time of the process' })
      .addCallback((result) => {
        const usage = process.cpuUsage();
        result.observe(usage.user / 1e6, { mode: 'user' });
        result.observe(usage.system / 1e6, { mode: 'system' });
      });
    meter
      .createObservableGauge('foreman_process_memory_bytes', { description: 'Memory of the process' })
      .addCallback((result) => {
        const memory = process.memoryUsage();
        result.observe(memory.rss, { type: 'rss' });
        result.observe(memory.heapUsed, { type: 'heap_used' });
        result.observe(memory.heapTotal, { type: 'heap_total' });
        result.observe(memory.external, { type: 'external' });
      });
    meter
      .createObservableGauge('foreman_process_event_loop_delay_seconds', {
        description: 'Event-loop delay since the previous scrape',
      })
      .addCallback((result) => {
        // An idle histogram reports NaN/1e308 sentinels; report nothing rather than nonsense.
        if (this.loopDelay.count === 0) return;
        result.observe(this.loopDelay.percentile(50) / 1e9, { quantile: 'p50' });
        result.observe(this.loopDelay.percentile(99) / 1e9, { quantile: 'p99' });
        result.observe(this.loopDelay.max / 1e9, { quantile: 'max' });
        this.loopDelay.reset();
      });
  }

  stop(): void {
    this.loopDelay.disable();
  }
}
