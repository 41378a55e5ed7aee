/**
 * Estimated costs of function calls, as cel-go's checker/cost.go functionCost asks them: first the
 * Kubernetes library's CostEstimator.EstimateCallCost (k8s.io/apiserver/pkg/cel/library/cost.go),
 * then cel-go's own O(n) and O(n·m) overloads (string and list traversals, regexes, comparisons),
 * else 1. The arguments' own costs are added by the caller, as cel-go adds argCostSum.
 */
import {
  add, factor, fixed, mul, union, MAX_U64, REGEX_LENGTH, STRING_TRAVERSAL, UNKNOWN,
  type Cost, type DeclType, type Size,
} from './estimate-types.js';

/** An argument or receiver as cel-go's checker.AstNode: type, field path, and size when known. */
export interface Operand {
  type: DeclType;
  path: readonly string[] | undefined;
  size: Size | undefined;
  /** the value when the operand is a literal */
  literal?: unknown;
}

export interface CallEstimate {
  cost: Cost;
  size?: Size;
}

/** Looks a field path (`self`, `spec`, `@items`, ...) up in the declared types, as sizeEstimator. */
export type PathSizer = (path: readonly string[]) => Size | undefined;

const nominal = (n = 1): CallEstimate => ({ cost: fixed(n) });
const isStringy = (t: DeclType): boolean => t.kind === 'string' || t.kind === 'bytes';

/** library.CostEstimator.sizeEstimate: the computed size, else the path's, else unknown. */
const sizeOf = (o: Operand): Size => o.size ?? UNKNOWN;

/** listElementNode: the items of a list, with the list's path extended by `@items`. */
function elementSize(list: Operand, sizer: PathSizer): { type: DeclType; size: Size } | undefined {
  const elem = list.type.kind === 'list' ? list.type.elem : undefined;
  if (!elem) return undefined;
  return { type: elem, size: (list.path?.length ? sizer([...list.path, '@items']) : undefined) ?? UNKNOWN };
}

/**
 * One bound of replace()'s result: an empty pattern surrounds every character; a replacement no
 * longer (for the max; no shorter for the min) keeps the input's length; else as many replacements
 * as the pattern fits. Returns [replacements, characters kept].
 */
function replaceBound(n: number, pattern: number, keeps: boolean): [number, number] {
  if (pattern === 0) return [n < MAX_U64 ? n + 1 : n, n];
  return keeps ? [0, n] : [Math.ceil(n / pattern), 0];
}

function replaceSize(sz: Size, from: Size, to: Size): Size {
  const [maxCount, maxKept] = replaceBound(sz.max, from.min, to.max <= from.min);
  const [minCount, minKept] = replaceBound(sz.min, from.max, from.max <= to.min);
  return add(mul({ min: minCount, max: maxCount }, to), { min: minKept, max: maxKept });
}

const IP_BYTES: Size = { min: 4, max: 16 };
const ipCompare = (): Cost => factor(add(IP_BYTES, IP_BYTES), STRING_TRAVERSAL);

/** library.CostEstimator.EstimateCallCost; undefined where it has no estimate. */
export function kubernetesCallCost(fn: string, target: Operand | undefined, args: Operand[], sizer: PathSizer): CallEstimate | undefined {
  switch (fn) {
    case 'isSorted': case 'sum': case 'max': case 'min': case 'indexOf': case 'lastIndexOf': {
      if (!target) return undefined;
      const el = elementSize(target, sizer);
      if (!el) return { cost: factor(sizeOf(target), STRING_TRAVERSAL) };
      const each = isStringy(el.type) ? add(fixed(1), factor(el.size, STRING_TRAVERSAL)) : fixed(1);
      return { cost: mul(sizeOf(target), each) };
    }
    case 'url': case 'jsonpatch.escapeKey':
      if (args.length !== 1) return undefined;
      return { cost: factor(sizeOf(args[0]!), STRING_TRAVERSAL), size: sizeOf(args[0]!) };
    case 'lowerAscii': case 'upperAscii': case 'substring': case 'trim':
      if (!target) return undefined;
      return { cost: factor(sizeOf(target), STRING_TRAVERSAL), size: sizeOf(target) };
    case 'replace':
      if (!target || args.length < 2) return undefined;
      return { cost: factor(sizeOf(target), 2 * STRING_TRAVERSAL), size: replaceSize(sizeOf(target), sizeOf(args[0]!), sizeOf(args[1]!)) };
    case 'split': {
      if (!target) return undefined;
      const sz = sizeOf(target);
      const limit = args[1]?.literal;
      return { cost: factor(sz, 2 * STRING_TRAVERSAL), size: { min: 0, max: typeof limit === 'bigint' ? Number(limit) : sz.max } };
    }
    case 'join': {
      if (!target) return undefined;
      const n = sizeOf(target);
      const el = elementSize(target, sizer);
      let sz = el ? mul(n, el.size) : fixed(0);
      if (args.length > 0) sz = add(sz, mul(sizeOf(args[0]!), { min: Math.max(0, n.min - 1), max: Math.max(0, n.max - 1) }));
      return { cost: factor(sz, STRING_TRAVERSAL), size: sz };
    }
    case 'find': case 'findAll': {
      if (!target || args.length < 1) return undefined;
      const sz = sizeOf(target);
      const str = factor(add(sz, fixed(1)), STRING_TRAVERSAL);
      return { cost: mul(str, factor(sizeOf(args[0]!), REGEX_LENGTH)), size: { min: 0, max: sz.max } };
    }
    // parsers called as global functions (ip("..."), cidr("..."), quantity("...")) have no target:
    // upstream's estimator then falls through to cel-go's default of 1
    case 'cidr': case 'isIP': case 'isCIDR': case 'quantity': case 'isQuantity': case 'semver': case 'isSemver':
      return target ? { cost: factor(sizeOf(args[0] ?? target), STRING_TRAVERSAL) } : undefined;
    case 'ip':
      if (target && args.length >= 1) return { cost: factor(sizeOf(args[0]!), STRING_TRAVERSAL) };
      return target ? nominal() : undefined;
    case 'masked': case 'prefixLength': case 'family': case 'isUnspecified': case 'isLoopback':
    case 'isLinkLocalMulticast': case 'isLinkLocalUnicast': case 'isGlobalUnicast':
    case 'format.named': case 'sign': case 'asInteger': case 'isInteger': case 'asApproximateFloat':
    case 'isGreaterThan': case 'isLessThan': case 'compareTo': case 'add': case 'sub': case 'major':
    case 'minor': case 'patch': case 'getScheme': case 'getHostname': case 'getHost': case 'getPort':
    case 'getEscapedPath': case 'getQuery':
      return nominal();
    case 'containsIP': case 'containsCIDR': {
      if (!target || args.length < 1) return undefined;
      let cost = ipCompare();
      if (fn === 'containsCIDR') cost = add(add(cost, factor(IP_BYTES, STRING_TRAVERSAL)), fixed(1));
      if (args[0]!.type.kind === 'string') cost = add(cost, factor(sizeOf(args[0]!), STRING_TRAVERSAL));
      return { cost };
    }
    case '==': {
      const [l, r] = args as [Operand, Operand];
      if (l.type.kind !== 'opaque' || l.type.name !== r.type.name) return undefined;
      if (/url/i.test(l.type.name ?? '')) return { cost: factor({ min: 1, max: (r.size ?? fixed(1)).max }, STRING_TRAVERSAL) };
      return nominal();
    }
    default:
      return undefined;
  }
}

/** cel-go's functionCost for its own overloads; undefined for the O(1) rest (cost 1). */
export function builtinCallCost(fn: string, target: Operand | undefined, args: Operand[], argCosts: Cost[]): CallEstimate | undefined {
  switch (fn) {
    case 'format':
      return target ? { cost: factor(sizeOf(target), STRING_TRAVERSAL) } : undefined;
    case 'bytes': case 'string': {
      const a = args[0];
      if (args.length !== 1 || !a || a.type.kind !== (fn === 'bytes' ? 'string' : 'bytes')) return undefined;
      const sz = sizeOf(a);
      return { cost: factor(sz, STRING_TRAVERSAL), size: fn === 'bytes' ? { min: sz.min, max: sz.max * 4 } : { min: Math.floor(sz.min / 4), max: sz.max } };
    }
    case 'strings.quote': {
      if (args.length !== 1) return undefined;
      const sz = sizeOf(args[0]!);
      return { cost: factor(sz, STRING_TRAVERSAL), size: { min: sz.min + 2, max: sz.max * 2 + 2 } };
    }
    case 'startsWith': case 'endsWith':
      return target && args.length === 1 ? { cost: factor(sizeOf(args[0]!), STRING_TRAVERSAL) } : undefined;
    case 'in':
      return args[1]!.type.kind === 'map' ? undefined : { cost: sizeOf(args[1]!) };
    case 'matches':
      if (!target || args.length !== 1) return undefined;
      return { cost: mul(factor(add(sizeOf(target), fixed(1)), STRING_TRAVERSAL), factor(sizeOf(args[0]!), REGEX_LENGTH)) };
    case 'contains':
      if (!target || args.length !== 1 || target.type.kind === 'list') return undefined;
      return { cost: mul(factor(sizeOf(target), STRING_TRAVERSAL), factor(sizeOf(args[0]!), STRING_TRAVERSAL)) };
    case '&&': case '||':
      return { cost: { min: argCosts[0]!.min, max: add(argCosts[0]!, argCosts[1]!).max } };
    case '<': case '<=': case '>': case '>=':
      if (!isStringy(args[0]!.type) && !isStringy(args[1]!.type)) return undefined;
      return comparison(args);
    case '==': case '!=':
      return comparison(args);
    default:
      return undefined;
  }
}

/** Equality and string ordering: the shorter operand's traversal, at least 1 when either can be non-empty. */
function comparison(args: Operand[]): CallEstimate {
  const smallest = Math.min(sizeOf(args[0]!).max, sizeOf(args[1]!).max);
  return { cost: factor({ min: smallest > 0 ? 1 : 0, max: smallest }, STRING_TRAVERSAL) };
}

/** `+` on strings, bytes and lists: the result's size, and for strings and bytes its traversal. */
export function concatCost(l: Operand, r: Operand): CallEstimate | undefined {
  const kinds = [l.type.kind, r.type.kind];
  const size = add(sizeOf(l), sizeOf(r));
  if (kinds.includes('list')) return { cost: fixed(1), size };
  if (kinds.includes('string') || kinds.includes('bytes')) return { cost: factor(size, STRING_TRAVERSAL), size };
  if (kinds.includes('dyn')) return { cost: union(fixed(1), factor(size, STRING_TRAVERSAL)), size };
  return undefined;
}
