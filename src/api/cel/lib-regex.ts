/**
 * Kubernetes' regex library (k8s.io/apiserver/pkg/cel/library/regex.go): `find` (the first match or
 * '') and `findAll` (every match, or the first n). Patterns are RE2; JavaScript's RegExp reads the
 * same syntax for what rules use, and a leading RE2 flag group such as `(?i)` becomes a RegExp flag.
 */
import type { Environment } from '@marcbachmann/cel-js';

const cache = new Map<string, RegExp>();

/** The compiled (global) RegExp of an RE2 pattern; throws cel-go's wording on a bad pattern. */
export function compileRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  const m = /^\(\?([imsU]+)\)/.exec(pattern);
  const flags = 'g' + (m ? [...new Set(m[1]!.replace('U', ''))].join('') : '');
  try {
    re = new RegExp(m ? pattern.slice(m[0].length) : pattern, flags);
  } catch (err) {
    throw new Error(`error parsing regexp: ${(err as Error).message}`);
  }
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, re);
  return re;
}

function findAll(s: string, pattern: string, n: bigint): string[] {
  if (n === 0n) return [];
  const out: string[] = [];
  for (const m of s.matchAll(compileRegex(pattern))) {
    out.push(m[0]);
    if (n > 0n && BigInt(out.length) >= n) break;
  }
  return out;
}

export function registerRegexLibrary(env: Environment): void {
  env
    .registerFunction('string.find(string): string', (s: string, p: string) => findAll(s, p, 1n)[0] ?? '')
    .registerFunction('string.findAll(string): list<string>', (s: string, p: string) => findAll(s, p, -1n))
    .registerFunction('string.findAll(string, int): list<string>', (s: string, p: string, n: bigint) => findAll(s, p, n));
}
