/**
 * Kubernetes' lists library (k8s.io/apiserver/pkg/cel/library/lists.go): isSorted, sum, min, max,
 * indexOf and lastIndexOf on lists of comparable elements (int, uint, double, bool, string, bytes,
 * duration, timestamp), with its examples as tests (cel-library.test.ts). sum, min and max are typed
 * dyn: cel-js cannot type-check an element type parameter of a dyn list in an operator (`x.sum() < 5`).
 */
import type { Environment } from '@marcbachmann/cel-js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** An orderable key for a comparable CEL value; throws on values CEL cannot order. */
function key(v: unknown): bigint | number | string | boolean {
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof UnsignedInt) return BigInt(String(v.valueOf()));
  if (v instanceof Date) return v.getTime();
  if (v instanceof Duration) return BigInt(v.seconds) * 1_000_000_000n + BigInt(v.nanos);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('latin1');
  throw new Error(`no such overload: ${typeof v} is not comparable`);
}

export function compare(a: unknown, b: unknown): number {
  const x = key(a);
  const y = key(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** CEL equality for list elements: numbers across int/uint/double, containers deeply. */
export function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'bigint' || typeof a === 'number' || a instanceof UnsignedInt) && (typeof b === 'bigint' || typeof b === 'number' || b instanceof UnsignedInt)) {
    const x = a instanceof UnsignedInt ? BigInt(String(a.valueOf())) : a;
    const y = b instanceof UnsignedInt ? BigInt(String(b.valueOf())) : b;
    return x == y;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Duration && b instanceof Duration) return compare(a, b) === 0;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Object.getPrototypeOf(a) === Object.prototype && Object.getPrototypeOf(b) === Object.prototype) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && celEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

function sum(list: unknown[]): unknown {
  if (list.length === 0) return 0n;
  const first = list[0];
  if (first instanceof Duration) return list.reduce((a, x) => (a as Duration).addDuration(x as Duration));
  if (first instanceof UnsignedInt) {
    const s = list.reduce((a: bigint, x) => a + BigInt(String((x as UnsignedInt).valueOf())), 0n);
    return new UnsignedInt(s);
  }
  if (typeof first === 'number') return list.reduce((a: number, x) => a + Number(x), 0);
  let s = 0n;
  for (const x of list) {
    if (typeof x !== 'bigint') throw new Error(`no such overload: sum over ${typeof x}`);
    s += x;
    if (s > INT64_MAX || s < INT64_MIN) throw new Error('integer overflow');
  }
  return s;
}

function extreme(list: unknown[], name: string, sign: number): unknown {
  if (list.length === 0) throw new Error(`${name}(list) called on empty list`);
  return list.reduce((a, x) => (compare(x, a) * sign > 0 ? x : a));
}

export function registerListsLibrary(env: Environment): void {
  env
    .registerFunction('list<A>.isSorted(): bool', (l: unknown[]) => l.every((x, i) => i === 0 || compare(l[i - 1], x) <= 0))
    .registerFunction('list<A>.sum(): dyn', (l: unknown[]) => sum(l))
    .registerFunction('list<A>.min(): dyn', (l: unknown[]) => extreme(l, 'min', -1))
    .registerFunction('list<A>.max(): dyn', (l: unknown[]) => extreme(l, 'max', 1))
    .registerFunction('list<A>.indexOf(A): int', (l: unknown[], v: unknown) => BigInt(l.findIndex((x) => celEquals(x, v))))
    .registerFunction('list<A>.lastIndexOf(A): int', (l: unknown[], v: unknown) => {
      for (let i = l.length - 1; i >= 0; i--) if (celEquals(l[i], v)) return BigInt(i);
      return -1n;
    });
}
