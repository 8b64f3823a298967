import { register } from 'prom-client';

/**
 * Metrics moved on every HTTP request, exposed exactly as prom-client's counters and histograms
 * are (`name{labels}`; `name_bucket{le}`, `name_sum`, `name_count`), but updated through series
 * resolved once by their label values: no label validation, sorting and hashing per call. On the
 * recommendations route prom-client's own path cost about 13% of the throughput (bench:serve).
 */

interface MetricValue {
  labels: Record<string, string | number>;
  /** Labels of the series, printed after `labels` (prom-client's order for histograms). */
  sharedLabels?: Record<string, string>;
  value: number;
  metricName?: string;
}

interface MetricData {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

abstract class HotMetric<S> {
  readonly aggregator = 'sum';
  protected readonly series = new Map<string, { labels: Record<string, string>; s: S }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  /** The series of these label values, in labelNames order; created at zero on first use. */
  with(...values: string[]): S {
    const key = values.length === 1 ? values[0]! : values.join('\u0000');
    const found = this.series.get(key);
    if (found) return found.s;
    if (values.length !== this.labelNames.length)
      throw new Error(
        `${this.name}: expected ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`,
      );
    const labels = Object.fromEntries(this.labelNames.map((n, i) => [n, values[i]!]));
    const s = this.create();
    this.series.set(key, { labels, s });
    return s;
  }

  reset(): void {
    this.series.clear();
  }

  protected abstract create(): S;
}

export class CounterSeries {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

/** A labelled counter for hot paths (see the module comment). */
export class HotCounter extends HotMetric<CounterSeries> {
  readonly type = 'counter';

  protected create(): CounterSeries {
    return new CounterSeries();
  }

  get(): MetricData {
    const values = [...this.series.values()].map(({ labels, s }) => ({ labels, value: s.value }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export class HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

/** A labelled histogram for hot paths (see the module comment). */
export class HotHistogram extends HotMetric<HistogramSeries> {
  readonly type = 'histogram';
  readonly bounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    this.bounds = [...buckets].sort((a, b) => a - b);
  }

  protected create(): HistogramSeries {
    return new HistogramSeries(this.bounds);
  }

  /** What the registry prints: bucket bounds first, then the series' labels, as prom-client does. */
  getForPromString(): MetricData {
    const values: MetricValue[] = [];
    for (const { labels, s } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ labels: { le }, sharedLabels: labels, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: labels, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: {}, sharedLabels: labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The JSON form (registry.getMetricsAsJSON): each value with all its labels. */
  get(): MetricData {
    const data = this.getForPromString();
    data.values = data.values.map(({ labels, sharedLabels, value, metricName }) => ({
      labels: { ...labels, ...sharedLabels },
      value,
      metricName,
    }));
    return data;
  }
}

type Registered = Parameters<typeof register.registerMetric>[0];

/** The metric of this name in the default registry, registering `make()` the first time (several apps share a process in tests). */
export function hotMetric<M extends HotCounter | HotHistogram>(name: string, make: () => M): M {
  const existing = register.getSingleMetric(name) as unknown;
  if (existing) return existing as M;
  const metric = make();
  register.registerMetric(metric as unknown as Registered);
  return metric;
}
