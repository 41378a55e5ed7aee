/** Shapes of the objects the console reads (only the fields it uses) and small readers of them. */
export interface OwnerRef { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }
export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerRef[];
  generation?: number;
}
export interface Condition { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }
/** Any object: metadata plus whatever spec/status it has (read through the helpers below). */
export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  // spec and status differ per kind; the readers (resources.ts) pick the fields they show.
  spec?: any;
  status?: any;
  [k: string]: unknown;
}
export interface List { metadata: { resourceVersion?: string; continue?: string }; items: Obj[] }
export interface WatchEvent { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: Obj }

export const key = (o: Obj): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

/** "3m", "2h", "5d": the age column as kubectl prints it (coarser). */
export function age(ts: string | undefined, now = Date.now()): string {
  if (!ts) return '';
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Quantities to numbers: CPU in cores, memory in bytes. */
export function quantity(q: string | number | undefined): number {
  if (q === undefined || q === null) return 0;
  if (typeof q === 'number') return q;
  const m = /^([0-9.eE+-]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  const n = Number(m[1]);
  const suffix: Record<string, number> = {
    n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15,
    Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5,
  };
  return n * (suffix[m[2]!] ?? 1);
}

export const cores = (n: number): string => (n < 1 ? `${Math.round(n * 1000)}m` : `${+n.toFixed(2)}`);
export function bytes(n: number): string {
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${+n.toFixed(n < 10 && i > 0 ? 1 : 0)}${units[i]}`;
}

export const condition = (o: Obj, type: string): Condition | undefined =>
  (o.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);

/** A label selector (matchLabels only, plus simple matchExpressions In/Exists) tested against labels. */
export function selects(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | Record<string, string> | undefined, labels: Record<string, string> = {}): boolean {
  if (!sel) return false;
  const s = sel as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  const ml = 'matchLabels' in s || 'matchExpressions' in s ? s.matchLabels ?? {} : (sel as Record<string, string>);
  const exprs = 'matchExpressions' in s ? s.matchExpressions ?? [] : [];
  if (Object.keys(ml).length === 0 && exprs.length === 0) return false;
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  for (const e of exprs) {
    const has = e.key in labels;
    if (e.operator === 'In' && !(has && e.values?.includes(labels[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && e.values?.includes(labels[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Parses a label filter "a=b,c!=d,e" (equality and existence only) into a predicate. */
export function labelFilter(text: string): (labels: Record<string, string> | undefined) => boolean {
  const terms = text.split(',').map((t) => t.trim()).filter(Boolean).map((t) => {
    const ne = /^([^!=]+)!=(.*)$/.exec(t);
    if (ne) return (l: Record<string, string>) => l[ne[1]!.trim()] !== ne[2]!.trim();
    const eq = /^([^=]+)==?(.*)$/.exec(t);
    if (eq) return (l: Record<string, string>) => l[eq[1]!.trim()] === eq[2]!.trim();
    const not = /^!(.+)$/.exec(t);
    if (not) return (l: Record<string, string>) => !(not[1]!.trim() in l);
    return (l: Record<string, string>) => t in l;
  });
  return (labels) => terms.every((f) => f(labels ?? {}));
}
