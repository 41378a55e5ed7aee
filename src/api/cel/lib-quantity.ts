/**
 * Kubernetes' quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go) over Bosun's
 * resource.Quantity (src/api/quantity): isQuantity, quantity, sign, isInteger, asInteger,
 * asApproximateFloat, add, sub, isGreaterThan, isLessThan, compareTo and `==` by value.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { Quantity } from '../quantity/index.js';

const NANO = 1_000_000_000n;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** resource.Quantity.AsInt64's test: a whole number that fits in an int64. */
const isInteger = (q: Quantity): boolean => q.nanos % NANO === 0n && q.nanos / NANO <= INT64_MAX && q.nanos / NANO >= INT64_MIN;

function asInteger(q: Quantity): bigint {
  if (!isInteger(q)) throw new Error('cannot convert value to integer');
  return q.nanos / NANO;
}

function parse(s: string): Quantity {
  return Quantity.parse(s);
}

function isQuantity(s: string): boolean {
  try {
    Quantity.parse(s);
    return true;
  } catch {
    return false;
  }
}

export function registerQuantityLibrary(env: Environment): void {
  const T = 'kubernetes.Quantity';
  env
    .registerType(T, Quantity as unknown as new () => Quantity)
    .registerFunction(`quantity(string): ${T}`, parse)
    .registerFunction('isQuantity(string): bool', isQuantity)
    .registerFunction(`${T}.sign(): int`, (q: Quantity) => BigInt(q.cmp(Quantity.fromValue(0))))
    .registerFunction(`${T}.isInteger(): bool`, isInteger)
    .registerFunction(`${T}.asInteger(): int`, asInteger)
    .registerFunction(`${T}.asApproximateFloat(): double`, (q: Quantity) => Number(q.nanos) / 1e9)
    .registerFunction(`${T}.add(${T}): ${T}`, (a: Quantity, b: Quantity) => a.add(b))
    .registerFunction(`${T}.add(int): ${T}`, (a: Quantity, b: bigint) => a.add(Quantity.fromValue(b)))
    .registerFunction(`${T}.sub(${T}): ${T}`, (a: Quantity, b: Quantity) => a.sub(b))
    .registerFunction(`${T}.sub(int): ${T}`, (a: Quantity, b: bigint) => a.sub(Quantity.fromValue(b)))
    .registerFunction(`${T}.isGreaterThan(${T}): bool`, (a: Quantity, b: Quantity) => a.cmp(b) > 0)
    .registerFunction(`${T}.isLessThan(${T}): bool`, (a: Quantity, b: Quantity) => a.cmp(b) < 0)
    .registerFunction(`${T}.compareTo(${T}): int`, (a: Quantity, b: Quantity) => BigInt(a.cmp(b)))
    .registerOperator(`${T} == ${T}`, (a: Quantity, b: Quantity) => a.equals(b));
}
