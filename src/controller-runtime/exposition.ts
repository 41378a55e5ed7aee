/**
 * A small Prometheus registry for the node's processes (agent, proxy, DNS): counters, gauges and
 * histograms with labels, written in the text exposition format 0.0.4. The node agent keeps its
 * resident set small (docs/architecture.md, "Memory of `bosun agent`"): prom-client costs ~4 MiB of
 * RSS there, this ~100 lines nothing measurable. The control plane uses prom-client
 * (controller-runtime/metrics.ts, apiserver/prometheus).
 */

type Labels = Record<string, string>;

const escLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const fmt = (n: number): string => (n === Infinity ? '+Inf' : n === -Infinity ? '-Inf' : Number.isNaN(n) ? 'NaN' : String(n));

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const parts = names.map((n, i) => `${n}="${escLabel(values[i] ?? '')}"`);
  if (extra) parts.push(`${extra[0]}="${escLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

abstract class Family<S> {
  protected readonly series = new Map<string, { values: string[]; state: S }>();
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[] = []) {}
  protected abstract fresh(): S;
  protected state(labels: Labels = {}): S {
    const values = this.labelNames.map((n) => labels[n] ?? '');
    const key = values.join('\u0000');
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { values, state: this.fresh() }));
    return s.state;
  }
  abstract text(): string;
  protected header(type: string): string {
    return `# HELP ${this.name} ${escHelp(this.help)}\n# TYPE ${this.name} ${type}\n`;
  }
}

export class Counter extends Family<{ v: number }> {
  protected fresh() { return { v: 0 }; }
  inc(labels?: Labels, by = 1): void { this.state(labels).v += by; }
  text(): string {
    let out = this.header('counter');
    for (const { values, state } of this.series.values()) out += `${this.name}${labelText(this.labelNames, values)} ${fmt(state.v)}\n`;
    return out;
  }
}

export class Gauge extends Family<{ v: number }> {
  protected fresh() { return { v: 0 }; }
  set(labels: Labels, v: number): void { this.state(labels).v = v; }
  inc(labels?: Labels, by = 1): void { this.state(labels).v += by; }
  dec(labels?: Labels, by = 1): void { this.state(labels).v -= by; }
  text(): string {
    let out = this.header('gauge');
    for (const { values, state } of this.series.values()) out += `${this.name}${labelText(this.labelNames, values)} ${fmt(state.v)}\n`;
    return out;
  }
}

export class Histogram extends Family<{ counts: number[]; sum: number; count: number }> {
  constructor(name: string, help: string, readonly buckets: readonly number[], labelNames: readonly string[] = []) {
    super(name, help, labelNames);
  }
  protected fresh() { return { counts: this.buckets.map(() => 0), sum: 0, count: 0 }; }
  observe(labels: Labels | undefined, v: number): void {
    const s = this.state(labels);
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) s.counts[i]!++;
    s.sum += v;
    s.count++;
  }
  text(): string {
    let out = this.header('histogram');
    for (const { values, state } of this.series.values()) {
      this.buckets.forEach((b, i) => (out += `${this.name}_bucket${labelText(this.labelNames, values, ['le', fmt(b)])} ${state.counts[i]}\n`));
      out += `${this.name}_bucket${labelText(this.labelNames, values, ['le', '+Inf'])} ${state.count}\n`;
      out += `${this.name}_sum${labelText(this.labelNames, values)} ${fmt(state.sum)}\n`;
      out += `${this.name}_count${labelText(this.labelNames, values)} ${state.count}\n`;
    }
    return out;
  }
}

/** Metrics of one process; `nodeRegistry` is the node's (agent, proxy and DNS share the agent's server). */
export class Registry {
  private readonly families: { text(): string }[] = [];
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';
  register<F extends { text(): string }>(f: F): F {
    this.families.push(f);
    return f;
  }
  text(): string {
    return this.families.map((f) => f.text()).join('');
  }
}

export const nodeRegistry = new Registry();

/** prometheus.ExponentialBuckets(start, factor, count). */
export const exponentialBuckets = (start: number, factor: number, count: number): number[] => Array.from({ length: count }, (_, i) => start * factor ** i);

/** Monotonic seconds for timing; process.hrtime, not performance.now(): the global `performance` loads perf_hooks into the node agent. */
export const monotonicSeconds = (): number => Number(process.hrtime.bigint()) / 1e9;
