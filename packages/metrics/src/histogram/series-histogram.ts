import { type Attributes, type HrTime, type Meter, ValueType } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  type HistogramMetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';

/** One label set of a histogram, bound once: recording into it hashes no attributes. */
export interface HistogramSeries {
  record(value: number): void;
}

/** A histogram whose label sets are bound up front, for code that records on every task. */
export interface SeriesHistogram {
  series(attributes: Attributes): HistogramSeries;
}

export interface SeriesHistogramOptions {
  description: string;
  /** Inclusive upper bounds of the buckets, ascending; one more bucket takes the rest. */
  boundaries: readonly number[];
}

/**
 * A histogram on `meter`. On a `MetricsRegistry`'s meter it is aggregated here, in plain
 * arrays, and reported at collection; on any other meter it is OpenTelemetry's own histogram.
 * Both give the same Prometheus output.
 */
export function createSeriesHistogram(
  meter: Meter,
  name: string,
  options: SeriesHistogramOptions,
): SeriesHistogram {
  const aggregated = producers.get(meter);
  if (aggregated) return aggregated.create(name, options);
  const histogram = meter.createHistogram(name, {
    description: options.description,
    advice: { explicitBucketBoundaries: [...options.boundaries] },
  });
  return { series: (attributes) => ({ record: (value) => histogram.record(value, attributes) }) };
}

const producers = new WeakMap<Meter, AggregatedHistograms>();

/**
 * Histograms aggregated in process and reported to a metric reader at collection (register it
 * among the reader's `metricProducers`). OpenTelemetry's own histogram hashes the label set of
 * every record to find its series; at thousands of tasks a second that costs more than the rest
 * of the task metrics, so these series are bound once and count into arrays. Cumulative, like
 * the SDK's default for Prometheus; count, sum and bucket counts only (no min and max, which
 * Prometheus does not show).
 */
export class AggregatedHistograms implements MetricProducer {
  private readonly histograms: AggregatedHistogram[] = [];

  /** Makes `createSeriesHistogram(meter, …)` aggregate into this producer. */
  aggregateFor(meter: Meter): void {
    producers.set(meter, this);
  }

  create(name: string, options: SeriesHistogramOptions): AggregatedHistogram {
    const histogram = new AggregatedHistogram(name, options);
    this.histograms.push(histogram);
    return histogram;
  }

  async collect(): Promise<CollectionResult> {
    const endTime = hrTimeNow();
    const metrics: HistogramMetricData[] = [];
    for (const histogram of this.histograms) {
      const data = histogram.toMetricData(endTime);
      if (data) metrics.push(data);
    }
    return {
      resourceMetrics: { resource: emptyResource(), scopeMetrics: [{ scope: { name: 'foreman' }, metrics }] },
      errors: [],
    };
  }
}

class AggregatedHistogram implements SeriesHistogram {
  private readonly boundaries: number[];
  private readonly bound: AggregatedSeries[] = [];

  constructor(
    private readonly name: string,
    private readonly options: SeriesHistogramOptions,
  ) {
    this.boundaries = [...options.boundaries];
  }

  series(attributes: Attributes): AggregatedSeries {
    const series = new AggregatedSeries(this.boundaries, attributes);
    this.bound.push(series);
    return series;
  }

  /** Undefined while nothing was recorded, as the SDK leaves out an instrument without series. */
  toMetricData(endTime: HrTime): HistogramMetricData | undefined {
    const recorded = this.bound.filter((series) => series.count > 0);
    if (recorded.length === 0) return undefined;
    return {
      descriptor: {
        name: this.name,
        description: this.options.description,
        unit: '',
        valueType: ValueType.DOUBLE,
      },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: recorded.map((series) => ({
        attributes: series.attributes,
        startTime: series.startTime,
        endTime,
        value: {
          buckets: { boundaries: this.boundaries, counts: [...series.counts] },
          sum: series.sum,
          count: series.count,
        },
      })),
    };
  }
}

class AggregatedSeries implements HistogramSeries {
  readonly counts: number[];
  readonly startTime = hrTimeNow();
  count = 0;
  sum = 0;

  constructor(
    private readonly boundaries: number[],
    readonly attributes: Attributes,
  ) {
    this.counts = new Array<number>(boundaries.length + 1).fill(0);
  }

  record(value: number): void {
    // What the SDK's histogram drops: a negative value (with a warning there) or NaN.
    if (!(value >= 0)) return;
    this.count += 1;
    this.sum += value;
    // Short tasks land in the first buckets: a scan from the low end beats a binary search.
    const { boundaries } = this;
    let index = 0;
    while (index < boundaries.length && value > (boundaries[index] as number)) index += 1;
    this.counts[index] = (this.counts[index] as number) + 1;
  }
}

function hrTimeNow(): HrTime {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1_000);
  return [seconds, Math.floor((ms - seconds * 1_000) * 1_000_000)];
}
