/**
 * Path elements as structured-merge-diff's fieldpath (element.go) orders and prints them, in their
 * FieldsV1 spelling (`f:<field>`, `k:<json of key fields>`, `v:<json value>`, `i:<index>`): the
 * order FieldsV1 is written in, and the path notation of conflict and typing errors.
 */

const KIND_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** structured-merge-diff's PathElement order (PathElement.Compare): fields, then keys, values, indices. */
export function sortElements(els: string[]): string[] {
  if (els.length < 2) return els;
  // Keys and values are compared parsed, each parsed once per sort (this runs on every write).
  const parsed = new Map<string, unknown>();
  const valueOf = (el: string): unknown => {
    if (!parsed.has(el)) parsed.set(el, parseOr(el));
    return parsed.get(el);
  };
  return els.sort((a, b) => compareElements(a, b, valueOf));
}

/**
 * Fields by name, indices by number, keys and values by what they hold (value.Compare: numbers
 * numerically, so port 80 before 443, not as their JSON text).
 */
function compareElements(a: string, b: string, valueOf: (el: string) => unknown): number {
  const ka = KIND_ORDER[a[0]!] ?? 9;
  const kb = KIND_ORDER[b[0]!] ?? 9;
  if (ka !== kb) return ka - kb;
  switch (a[0]) {
    case 'i': return Number(a.slice(2)) - Number(b.slice(2));
    case 'k':
    case 'v': return compareValues(valueOf(a), valueOf(b));
    default: return a < b ? -1 : a > b ? 1 : 0;
  }
}

function parseOr(el: string): unknown {
  try {
    return JSON.parse(el.slice(2)) as unknown;
  } catch {
    return el.slice(2);
  }
}

/** value.Compare's total order: numbers < strings < booleans < lists < maps < null, each by content. */
function rank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === 'object') return 4;
  return 5;
}

function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra <= 2) return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  if (ra === 3) return compareSequences(a as unknown[], b as unknown[], compareValues);
  if (ra === 4) {
    // A key's fields (FieldList.Compare) and a map's entries (MapCompare) go by sorted name, then value.
    const ea = Object.entries(a as Record<string, unknown>).sort(byName);
    const eb = Object.entries(b as Record<string, unknown>).sort(byName);
    return compareSequences(ea, eb, (x, y) => byName(x, y) || compareValues(x[1], y[1]));
  }
  return 0;
}

const byName = (x: [string, unknown], y: [string, unknown]) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);

function compareSequences<T>(a: T[], b: T[], cmp: (x: T, y: T) => number): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const c = cmp(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * A path as structured-merge-diff prints it in conflict messages:
 * `.spec.template.spec.containers[name="web"].image`, `[containerPort=80,protocol="TCP"]`,
 * `[="value"]`, `[3]`.
 */
export function pathString(path: readonly string[]): string {
  return path.map((el) => {
    const body = el.slice(2);
    switch (el[0]) {
      case 'f': return `.${body}`;
      case 'v': return `[=${body}]`;
      case 'i': return `[${body}]`;
      default: {
        const key = JSON.parse(body) as Record<string, unknown>;
        return `[${Object.keys(key).sort().map((k) => `${k}=${JSON.stringify(key[k])}`).join(',')}]`;
      }
    }
  }).join('');
}
