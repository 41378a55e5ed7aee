/**
 * Nesting depth of decoded JSON values. The API server's own code walks objects recursively
 * (cloning, validation, merging, and V8's JSON.stringify, which overflows the stack near 5000
 * levels), so bodies and patched objects nested deeper than MAX_JSON_DEPTH are refused up front.
 * Upstream's decoder stops at 10000 levels ("exceeded max depth"); no Kubernetes object nests
 * anywhere near 1000.
 */
export const MAX_JSON_DEPTH = 1000;

/** True when `v` nests deeper than `max` arrays/objects. Iterative, so it cannot overflow itself. */
export function exceedsDepth(v: unknown, max = MAX_JSON_DEPTH): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length > 0) {
    const [cur, depth] = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(cur) ? cur : Object.values(cur as Record<string, unknown>);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push([c, depth + 1]);
  }
  return false;
}
