/**
 * A histogram for the request path's hot metrics (apiserver_request_duration_seconds,
 * etcd_request_duration_seconds): a caller resolves its label set to a series once and each
 * observation is then a bucket search and three additions. prom-client's Histogram validates and
 * hashes the label object on every observe (about 1 µs, a few per cent of a pod create's CPU with a
 * store read or two per request). Exposed through prom-client's registry with the same text as its
 * Histogram: `<name>_bucket{le,...}` cumulative counts, `+Inf`, `_sum` and `_count` per series.
 *
 * Registry contract used (prom-client 15, registry.js): `name`, `help`, `type`, `aggregator`,
 * `getForPromString()`/`get()` returning `{ name, help, type, values, aggregator }` whose values are
 * `{ labels, sharedLabels?, value, metricName }`, and `reset()`.
 */
import { register, type Metric, type Registry } from 'prom-client';

/** One label set's counts. */
export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  /** Non-cumulative count per bucket (same order as the bounds). */
  readonly counts: number[];
  sum: number;
  count: number;
}

export interface SeriesHistogramOptions<T extends string> {
  name: string;
  help: string;
  labelNames: readonly T[];
  buckets: readonly number[];
  registers?: Registry[];
}

/** A sample as prom-client's Histogram makes them (exemplar null on buckets, undefined on _sum/_count: no exemplars). */
interface Sample { labels: Record<string, string | number>; sharedLabels?: Record<string, string>; value: number; metricName: string; exemplar: null | undefined }

export class SeriesHistogram<T extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: readonly number[];
  private readonly labelNames: readonly T[];
  private series = new Map<string, Series>();

  constructor(o: SeriesHistogramOptions<T>) {
    this.name = o.name;
    this.help = o.help;
    this.labelNames = o.labelNames;
    this.bounds = [...o.buckets].sort((a, b) => a - b);
    for (const r of o.registers ?? [register]) r.registerMetric(this as unknown as Metric);
  }

  /** The series of `labels` (every label name given; the same object for the same values). */
  seriesOf(labels: Readonly<Record<T, string>>): Series {
    let key = '';
    for (const n of this.labelNames) key += `${labels[n]}\u0000`;
    let s = this.series.get(key);
    if (!s) {
      const own: Record<string, string> = {};
      for (const n of this.labelNames) own[n] = labels[n];
      s = { labels: own, counts: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  /** Counts `value` (seconds) in series `s`; a value above every bound only counts in +Inf. */
  observe(s: Series, value: number): void {
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (value <= b[i]!) {
        s.counts[i]!++;
        break;
      }
    }
    s.sum += value;
    s.count++;
  }

  reset(): void {
    this.series = new Map();
  }

  getForPromString(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.series.values()) {
      const shared = { ...s.labels };
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += s.counts[i]!;
        values.push({ labels: { le }, sharedLabels: shared, value: acc, metricName: bucket, exemplar: null });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: shared, value: s.count, metricName: bucket, exemplar: null });
      values.push({ labels: {}, sharedLabels: shared, value: s.sum, metricName: `${this.name}_sum`, exemplar: undefined });
      values.push({ labels: {}, sharedLabels: shared, value: s.count, metricName: `${this.name}_count`, exemplar: undefined });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** As prom-client's get(): the series' labels merged into each sample's. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const data = await this.getForPromString();
    data.values = data.values.map(({ sharedLabels, ...v }) => ({ ...v, labels: { ...v.labels, ...sharedLabels } }));
    return data;
  }
}
