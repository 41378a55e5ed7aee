/**
 * Index sets as Job status writes them (status.completedIndexes, status.failedIndexes,
 * successPolicy succeededIndexes): increasing decimals, runs of three or more as `first-last`,
 * e.g. `1,3-5,7` (upstream orderedIntervals).
 */

/** Parse `1,3-5,7`; entries that are not numbers or ranges are skipped, values >= `limit` dropped. */
export function parseIndexes(text: string | undefined, limit = Infinity): Set<number> {
  const out = new Set<number>();
  if (!text) return out;
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    for (let i = first; i <= last && i < limit; i++) out.add(i);
  }
  return out;
}

/** Format a set of indexes: `0,1` for two neighbours, `3-5` for three or more. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    if (j === i) parts.push(String(sorted[i]));
    else if (j === i + 1) parts.push(`${sorted[i]},${sorted[j]}`);
    else parts.push(`${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
