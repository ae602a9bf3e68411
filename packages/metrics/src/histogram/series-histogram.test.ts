import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { MetricsRegistry } from '../metrics-registry.js';
import { createSeriesHistogram } from './series-histogram.js';

const BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
// On the bounds (inclusive), between them, past the last, zero, and what the SDK drops.
const VALUES = [0, 0.001, 0.005, 0.0051, 0.01, 0.3, 1, 7.25, 600, 601, 1e6, 0.1 + 0.2, -1, Number.NaN];
const OPTIONS = { description: 'A test histogram', boundaries: BOUNDARIES };

/** The lines of `name` in a Prometheus text, in order. */
const linesOf = (text: string, name: string) => text.split('\n').filter((line) => line.includes(name));

/** Records the same values into `meter`'s histogram: two series used, one bound and never used. */
function recordAll(meter: MetricsRegistry['meter']): void {
  const histogram = createSeriesHistogram(meter, 'test_seconds', OPTIONS);
  const fast = histogram.series({ task: 'a.fast', queue: 'q' });
  const slow = histogram.series({ task: 'a.slow', queue: 'q', status: 'failed' });
  histogram.series({ task: 'a.idle', queue: 'q' });
  for (const value of VALUES) {
    fast.record(value);
    slow.record(value * 3);
  }
  fast.record(0.02);
}

/** What `record` makes of OpenTelemetry's own histogram, read as MetricsRegistry reads its meter. */
async function sdkScrape(record: (meter: MetricsRegistry['meter']) => void): Promise<string> {
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const provider = new MeterProvider({ readers: [exporter] });
  record(provider.getMeter('foreman'));
  const { resourceMetrics } = await exporter.collect();
  await provider.shutdown();
  return new PrometheusSerializer(undefined, false, undefined, false, true).serialize(resourceMetrics);
}

describe('createSeriesHistogram', () => {
  it("aggregates on a MetricsRegistry's meter to the very output of the SDK's histogram", async () => {
    const registry = new MetricsRegistry();
    recordAll(registry.meter);
    const aggregated = linesOf(await registry.scrape(), 'test_seconds');
    const sdk = linesOf(await sdkScrape(recordAll), 'test_seconds');
    // HELP, TYPE, and count, sum and 17 buckets for each of the two series recorded into.
    expect(aggregated).toHaveLength(2 + 2 * 19);
    expect(aggregated).toEqual(sdk);
  });

  it('counts a value equal to a bound into that bound, and cumulates the buckets', async () => {
    const registry = new MetricsRegistry();
    const series = createSeriesHistogram(registry.meter, 'bound_seconds', OPTIONS).series({ task: 't' });
    for (const value of [0.005, 0.005, 0.0051, 600, 600.5]) series.record(value);
    const text = await registry.scrape();
    expect(linesOf(text, 'bound_seconds')).toEqual(
      expect.arrayContaining([
        'bound_seconds_count{task="t"} 5',
        'bound_seconds_sum{task="t"} 1200.5151',
        'bound_seconds_bucket{task="t",le="0.005"} 2',
        'bound_seconds_bucket{task="t",le="0.01"} 3',
        'bound_seconds_bucket{task="t",le="300"} 3',
        'bound_seconds_bucket{task="t",le="600"} 4',
        'bound_seconds_bucket{task="t",le="+Inf"} 5',
      ]),
    );
  });

  it('leaves out a histogram with nothing recorded, as the SDK does', async () => {
    const bindOnly = (meter: MetricsRegistry['meter']) => {
      createSeriesHistogram(meter, 'unused_seconds', OPTIONS).series({ task: 't' });
    };
    const registry = new MetricsRegistry();
    bindOnly(registry.meter);
    expect(await registry.scrape()).not.toContain('unused_seconds');
    expect(await sdkScrape(bindOnly)).not.toContain('unused_seconds');
  });
});
