/**
 * Path elements as structured-merge-diff's fieldpath (element.go) orders and prints them, in their
 * FieldsV1 spelling (`f:<field>`, `k:<json of key fields>`, `v:<json value>`, `i:<index>`): the
 * order FieldsV1 is written in, and the path notation of conflict and typing errors.
 */

const KIND_ORDER: Record<string, number> = { f: 0, v: 1, k: 2, i: 3 };

/** structured-merge-diff's PathElement order: fields, then values, keys, indices. */
export function sortElements(els: string[]): string[] {
  if (els.length < 2) return els;
  return els.sort(compareElements);
}

function compareElements(a: string, b: string): number {
  const ca = a.charCodeAt(0);
  if (ca === b.charCodeAt(0)) {
    if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const ka = KIND_ORDER[a[0]!] ?? 9;
  const kb = KIND_ORDER[b[0]!] ?? 9;
  if (ka !== kb) return ka - kb;
  return a < b ? -1 : a > b ? 1 : 0;
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
