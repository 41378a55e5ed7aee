/**
 * Checks Prometheus text exposition with a real parser (npm parse-prometheus-text-format, which
 * throws on malformed lines) plus what it lets through: every family has a TYPE and appears once,
 * every sample value is a float as the format allows (digits, +Inf, -Inf, NaN), histogram buckets
 * never decrease. Returns the samples line by line (that parser folds labelled histograms into one
 * series, so assertions read these instead).
 */
import parse from 'parse-prometheus-text-format';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** Family name -> type (counter, gauge, histogram, summary, untyped). */
  types: Map<string, string>;
  samples: Sample[];
}

/**
 * A sample value as Prometheus reads it: Go's strconv.ParseFloat, whose special values are
 * case-insensitive with an optional sign (`NaN`, `Nan` as prom-client writes it, `+Inf`, `-inf`,
 * `Infinity`).
 */
const FLOAT = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]?(?:inf|infinity|nan))$/i;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;

const unescape = (v: string): string => v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
const num = (v: string): number => {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(v);
  if (!special) return Number(v);
  return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
};

export function parseExposition(text: string): Exposition {
  const families = parse(text);
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (types.has(m[1]!)) throw new Error(`family ${m[1]} has two TYPE lines`);
    types.set(m[1]!, m[2]!);
  }
  for (const f of families) if (!types.has(f.name)) throw new Error(`family ${f.name} has no TYPE line`);
  if (new Set(families.map((f) => f.name)).size !== families.length) throw new Error('a family appears twice');
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    if (!FLOAT.test(m[3]!)) throw new Error(`${m[1]}: ${JSON.stringify(m[3])} is not a sample value`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      LABEL.lastIndex = 0;
      let l: RegExpExecArray | null;
      let end = 0;
      while ((l = LABEL.exec(m[2])) !== null) {
        labels[l[1]!] = unescape(l[2]!);
        end = LABEL.lastIndex;
      }
      if (end !== m[2].length) throw new Error(`bad labels: ${line}`);
    }
    samples.push({ name: m[1]!, labels, value: num(m[3]!) });
  }
  // Histogram buckets of one series, by bound, never decrease.
  const series = new Map<string, [number, number][]>();
  for (const s of samples) {
    if (!s.name.endsWith('_bucket') || s.labels.le === undefined) continue;
    const { le, ...rest } = s.labels;
    const key = `${s.name}${JSON.stringify(rest)}`;
    series.set(key, [...(series.get(key) ?? []), [num(le), s.value]]);
  }
  for (const [key, b] of series) {
    const counts = b.sort((x, y) => x[0] - y[0]).map(([, c]) => c);
    if (counts.some((c, i) => i > 0 && c < counts[i - 1]!)) throw new Error(`${key}: bucket counts decrease`);
  }
  return { types, samples };
}

/** The samples named `name` whose labels include `labels`. */
export function samplesOf(e: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
