/**
 * The JSONPath subset additionalPrinterColumns and selectableFields use (k8s.io/client-go/util/jsonpath
 * as the CRD table convertor runs it): `.a.b`, `.a[0]`, `.a[-1]`, `.a[*].b`, `.a['x.y']`, escaped dots
 * (`.metadata.annotations.a\.b/c`), and filters `[?(@.type=="Ready")]` with ==, != and a bare `@.x`
 * existence test. Optional `{ }` around the whole path. Returns every match, in order.
 */
type Step = { kind: 'field'; name: string } | { kind: 'index'; i: number } | { kind: 'all' } | { kind: 'filter'; path: Step[]; op?: '==' | '!='; value?: unknown };

/** Parses once; throws on syntax it does not support (CRD validation reports it). */
export function parseJsonPath(expr: string): Step[] {
  let src = expr.trim();
  if (src.startsWith('{') && src.endsWith('}')) src = src.slice(1, -1).trim();
  if (src.startsWith('$')) src = src.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '.') {
      i++;
      let name = '';
      while (i < src.length && src[i] !== '.' && src[i] !== '[') {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        name += src[i++];
      }
      if (name === '*') steps.push({ kind: 'all' });
      else if (name) steps.push({ kind: 'field', name });
      else throw new Error(`invalid JSONPath ${JSON.stringify(expr)}: empty field name`);
    } else if (c === '[') {
      const end = matchingBracket(src, i);
      const inner = src.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', i: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(parseFilter(inner.slice(2, -1).trim(), expr));
      else throw new Error(`invalid JSONPath ${JSON.stringify(expr)}: unsupported [${inner}]`);
    } else {
      throw new Error(`invalid JSONPath ${JSON.stringify(expr)}: unexpected ${JSON.stringify(c)}`);
    }
  }
  return steps;
}

function matchingBracket(src: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let j = open; j < src.length; j++) {
    const ch = src[j]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']' && --depth === 0) return j;
  }
  throw new Error(`invalid JSONPath: unclosed [ in ${JSON.stringify(src)}`);
}

function parseFilter(body: string, expr: string): Step {
  const m = /^@((?:\.[^=!\s]+)+)\s*(?:(==|!=)\s*(.+))?$/.exec(body);
  if (!m) throw new Error(`invalid JSONPath ${JSON.stringify(expr)}: unsupported filter ${body}`);
  const path = parseJsonPath(m[1]!);
  if (!m[2]) return { kind: 'filter', path };
  const raw = m[3]!.trim();
  const value = /^'.*'$/.test(raw) ? raw.slice(1, -1) : JSON.parse(raw) as unknown;
  return { kind: 'filter', path, op: m[2] as '==' | '!=', value };
}

export function evalJsonPath(steps: Step[], root: unknown): unknown[] {
  let cur: unknown[] = [root];
  for (const st of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (st.kind === 'field') {
        if (v && typeof v === 'object' && !Array.isArray(v) && (v as Record<string, unknown>)[st.name] !== undefined) next.push((v as Record<string, unknown>)[st.name]);
      } else if (st.kind === 'index') {
        if (Array.isArray(v)) {
          const x = v[st.i < 0 ? v.length + st.i : st.i];
          if (x !== undefined) next.push(x);
        }
      } else if (st.kind === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === 'object') next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          const got = evalJsonPath(st.path, item);
          if (st.op === undefined ? got.length > 0 : (got.length > 0 && got[0] === st.value) === (st.op === '==')) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}
