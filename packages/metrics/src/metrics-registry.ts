import type { Meter } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { AggregatedHistograms } from './histogram/series-histogram.js';

export interface MetricsRegistryOptions {
  /** The app's name, e.g. "email-worker"; becomes the `service_name` label of target_info. */
  service?: string;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * One OpenTelemetry MeterProvider per app, read by the Prometheus exporter. The exporter's own
 * server stays off: each app serves `scrape()` on the port it already has. Histograms made with
 * `createSeriesHistogram` on its meter (the task metrics') are aggregated in process and joined
 * to the SDK's output at collection.
 */
export class MetricsRegistry {
  readonly meter: Meter;
  private readonly exporter: PrometheusExporter;
  private readonly provider: MeterProvider;
  // One scope ("foreman") everywhere: its label would only add noise to every series.
  private readonly serializer = new PrometheusSerializer(undefined, false, undefined, false, true);

  constructor(options: MetricsRegistryOptions = {}) {
    const histograms = new AggregatedHistograms();
    this.exporter = new PrometheusExporter({
      preventServerStart: true,
      withoutScopeInfo: true,
      metricProducers: [histograms],
    });
    this.provider = new MeterProvider({
      resource: resourceFromAttributes(options.service ? { 'service.name': options.service } : {}),
      readers: [this.exporter],
    });
    this.meter = this.provider.getMeter('foreman');
    histograms.aggregateFor(this.meter);
  }

  /**
   * Prometheus text exposition of every instrument, collected now. A failing instrument callback
   * leaves its series out and is named in a comment instead of failing the whole scrape.
   */
  async scrape(): Promise<string> {
    const { resourceMetrics, errors } = await this.exporter.collect();
    const notes = errors.map(
      (error) => `# collection error: ${String((error as Error)?.message ?? error).replace(/\n/g, ' ')}\n`,
    );
    return this.serializer.serialize(resourceMetrics) + notes.join('');
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
