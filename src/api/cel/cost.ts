/**
 * Runtime cost of a CEL evaluation, counted as cel-go's interpreter/runtimecost.go counts it (with
 * the Kubernetes library costs of k8s.io/apiserver/pkg/cel/library/cost.go): constants cost 0, each
 * identifier and each field/index qualifier 1, `&&` `||` `?:` 0, a list literal 10, a map literal 30,
 * a function or operator call 1 unless its cost depends on its arguments' sizes (string traversals at
 * 0.1 per character, regexes at 0.25 per pattern character, `in` on a list its length, ...), and a
 * comprehension (all, exists, map, filter, ...) the loop steps cel-go's macro expansion runs.
 *
 * @marcbachmann/cel-js has no cost tracking; every node evaluation of an environment passes through
 * its evaluator's `run(ast, ctx)`, so `trackCost` replaces that method on the environment's own
 * evaluator with one that counts. Evaluation is synchronous (no async functions are registered), so
 * one module-level meter serves every environment.
 */
import type { ASTNode } from '@marcbachmann/cel-js';

/** upstream's celconfig.PerCallLimit: the most one expression may cost at run time. */
export const PER_CALL_LIMIT = 1_000_000;
/** cel-go's error text when an evaluation passes its limit. */
export const COST_LIMIT_MESSAGE = 'operation cancelled: actual cost limit exceeded';

export class CostLimitError extends Error {
  constructor() {
    super(COST_LIMIT_MESSAGE);
    this.name = 'CostLimitError';
  }
}

const STRING_TRAVERSAL = 0.1;
const REGEX_LENGTH = 0.25;

let spent = 0;
let limit = Number.POSITIVE_INFINITY;

/** Sizes as cel-go's traits.Sizer: characters, bytes, elements, entries; anything else 1. */
export function sizeOf(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v) || v instanceof Uint8Array) return v.length;
  if (v instanceof Map) return v.size;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.keys(v).length;
  return 1;
}

const traverse = (v: unknown): number => Math.ceil(sizeOf(v) * STRING_TRAVERSAL);

/** upstream's traversalCost: strings and bytes at 0.1 a character (truncated), containers summed. */
function traversalCost(v: unknown): number {
  if (typeof v === 'string' || v instanceof Uint8Array) return Math.floor(v.length * STRING_TRAVERSAL);
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + traversalCost(x), 0);
  if (v instanceof Map) return [...v].reduce((n: number, [k, x]) => n + traversalCost(k) + traversalCost(x), 0);
  return 1;
}

const regexCost = (s: unknown, re: unknown): number =>
  Math.ceil((1 + sizeOf(s)) * STRING_TRAVERSAL) * Math.ceil(sizeOf(re) * REGEX_LENGTH);

type CallCost = (args: unknown[], result: unknown) => number;
/** Calls whose cost depends on their values; `args` has the receiver first, as cel-go's. */
const CALL_COSTS: Record<string, CallCost> = {
  contains: (a) => (typeof a[0] === 'string' ? traverse(a[0]) * traverse(a[1]) : 1),
  startsWith: (a) => traverse(a[1]),
  endsWith: (a) => traverse(a[1]),
  matches: (a) => regexCost(a[0], a[1]),
  string: (a) => (a[0] instanceof Uint8Array ? traverse(a[0]) : 1),
  bytes: (a) => (typeof a[0] === 'string' ? traverse(a[0]) : 1),
  isSorted: (a) => traversalCost(a[0]),
  sum: (a) => traversalCost(a[0]),
  max: (a) => traversalCost(a[0]),
  min: (a) => traversalCost(a[0]),
  indexOf: (a) => traversalCost(a[0]),
  lastIndexOf: (a) => traversalCost(a[0]),
  url: (a) => traverse(a[0]),
  lowerAscii: (a) => traverse(a[0]),
  upperAscii: (a) => traverse(a[0]),
  substring: (a) => traverse(a[0]),
  trim: (a) => traverse(a[0]),
  replace: (a) => Math.ceil(sizeOf(a[0]) * 2 * STRING_TRAVERSAL),
  split: (a) => Math.ceil(sizeOf(a[0]) * 2 * STRING_TRAVERSAL),
  join: (_a, r) => Math.ceil(sizeOf(r) * 2 * STRING_TRAVERSAL),
  find: (a) => regexCost(a[0], a[1]),
  findAll: (a) => regexCost(a[0], a[1]),
  quantity: (a) => traverse(a[0]),
  isQuantity: (a) => traverse(a[0]),
  cidr: (a) => traverse(a[0]),
  isIP: (a) => traverse(a[0]),
  isCIDR: (a) => traverse(a[0]),
  ip: (a) => (typeof a[0] === 'string' ? traverse(a[0]) : 1),
  isCanonical: (a) => Math.ceil(sizeOf(a[1]) * 2 * STRING_TRAVERSAL), // ip.isCanonical(s): parse, then compare
  containsIP: (a) => Math.ceil(2 * sizeOf(a[0]) * STRING_TRAVERSAL) + (typeof a[1] === 'string' ? traverse(a[1]) : 0),
  containsCIDR: (a) => Math.ceil(2 * sizeOf(a[0]) * STRING_TRAVERSAL) + traverse(a[0]) + 1 + (typeof a[1] === 'string' ? traverse(a[1]) : 0),
};

/** A node as cel-js evaluates it, with the value we remember for its parent's cost. */
interface Node {
  op: string;
  args: unknown;
  meta: { macro?: unknown; alternate?: Node };
  celLast?: unknown;
  celStep?: Step;
}
/** A comprehension's step node, charged the loop overhead of cel-go's expansion of its macro. */
type Step = 'all' | 'exists' | 'exists_one' | 'map' | 'filter';

const last = (n: unknown): unknown => (n as Node).celLast;

function stepKind(alt: Node): Step {
  const a = alt.args as { kind?: string; init: Node; step: Node };
  const init = a.init.args;
  if (a.kind === 'quantifier') return init === true ? 'all' : init === false ? 'exists' : 'exists_one';
  return a.step.op === 'accuPush' ? 'map' : 'filter';
}

/**
 * Marks the step node of every comprehension under `root` (once, after type checking expanded the
 * macros) so that each loop iteration is charged as cel-go's expansion of that macro costs.
 */
export function prepareCost(root: ASTNode): void {
  const seen = new Set<unknown>();
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    if (Array.isArray(x)) return x.forEach(visit);
    const n = x as Partial<Node>;
    if (typeof n.op === 'string') {
      const alt = n.meta?.alternate;
      if (alt?.op === 'comprehension') (alt.args as { step: Node }).step.celStep = stepKind(alt);
      visit(alt);
      visit(n.args);
    } else if (Object.getPrototypeOf(x) === Object.prototype) {
      Object.values(x).forEach(visit);
    }
  };
  visit(root);
}

function comprehension(alt: Node): number {
  // the accumulator read of the result (exists_one also compares it with 1)
  return (alt.args as { step: Node }).step.celStep === 'exists_one' ? 2 : 1;
}

function stepCost(n: Node): number {
  const pred = () => last((n.args as Node[])[0]) === true;
  switch (n.celStep) {
    case 'all': return 3; // @not_strictly_false(accu), accu && p
    case 'exists': return 4; // @not_strictly_false(!accu), accu || p
    case 'exists_one': return pred() ? 2 : 1; // p ? accu + 1 : accu
    case 'map': return 12; // accu + [f(x)]
    default: return pred() ? 12 : 1; // p ? accu + [x] : accu
  }
}

function callCost(n: Node, result: unknown): number {
  const meta = n.meta;
  if (meta.alternate?.op === 'comprehension') return comprehension(meta.alternate);
  const a = n.args as unknown[];
  const name = a[0] as string;
  if (meta.macro) {
    if (name !== 'has') return 1;
    // has(x.a.b): one presence test plus the qualifiers before it (the identifier charges itself)
    let sel = (a[1] as Node[])[0];
    let c = 0;
    while (sel && (sel.op === '.' || sel.op === '.?')) {
      c++;
      sel = (sel.args as Node[])[0]!;
    }
    return c;
  }
  // a namespaced function (ip.isCanonical, strings.quote, optional.of) is one name in cel-go: its
  // namespace is no variable, so the identifier's charge is taken back
  const recv = n.op === 'rcall' ? last(a[1]) : undefined;
  const ns = recv instanceof Object && recv.constructor.name.endsWith('Namespace') ? 1 : 0;
  const f = CALL_COSTS[name];
  if (!f) return 1 - ns;
  const args = n.op === 'rcall' ? [recv, ...(a[2] as Node[]).map(last)] : (a[1] as Node[]).map(last);
  return f(args, result) - ns;
}

function nodeCost(n: Node, v: unknown): number {
  switch (n.op) {
    case 'value': case '?:': case '||': case '&&': case 'accuValue': case 'accuInc': case 'accuPush':
      return n.celStep === undefined ? 0 : stepCost(n);
    case '[]': case '[?]':
      // an identifier used as the index is resolved by the qualifier, not charged apart
      return (n.args as Node[])[1]!.op === 'id' ? 0 : 1;
    case 'list': return 10;
    case 'map': return 30;
    case 'in': return Array.isArray(last((n.args as Node[])[1])) ? sizeOf(last((n.args as Node[])[1])) : 1;
    case '+': {
      const [l, r] = (n.args as Node[]).map(last);
      return typeof l === 'string' || l instanceof Uint8Array ? Math.ceil((sizeOf(l) + sizeOf(r)) * STRING_TRAVERSAL) : 1;
    }
    case '==': case '!=': case '<': case '<=': case '>': case '>=': {
      const [l, r] = (n.args as Node[]).map(last);
      return Math.ceil(Math.min(sizeOf(l), sizeOf(r)) * STRING_TRAVERSAL);
    }
    case 'call': case 'rcall': return callCost(n, v);
    default: return 1; // identifiers, selections, unary and arithmetic operators
  }
}

interface Evaluator {
  run(ast: ASTNode, ctx: unknown): unknown;
}

/** Makes `ev` (an environment's evaluator) count every node it evaluates against the meter. */
export function trackCost(ev: Evaluator): void {
  ev.run = function run(this: Evaluator, ast: ASTNode, ctx: unknown): unknown {
    const n = ast as unknown as Node & { evaluate(e: Evaluator, a: ASTNode, c: unknown): unknown };
    const v = n.evaluate(this, ast, ctx);
    n.celLast = v;
    spent += nodeCost(n, v);
    if (spent > limit) throw new CostLimitError();
    return v;
  };
}

/**
 * Runs `fn` (one evaluation) with a fresh meter that fails past `max`; returns its value and cost.
 * A CostLimitError swallowed inside the expression (`err || true`) still fails the evaluation.
 * Re-entrant: an evaluation started inside another (a lazily evaluated admission variable) is
 * metered apart and its cost then charged to the one that read it.
 */
export function metered<T>(max: number, fn: () => T): { value: T; cost: number } {
  const outerSpent = spent;
  const outerLimit = limit;
  spent = 0;
  limit = max;
  try {
    let value: T;
    try {
      value = fn();
    } catch (err) {
      // cel-js may have wrapped the meter's error; past the limit it is the limit that failed
      throw spent > max ? new CostLimitError() : err;
    }
    if (spent > max) throw new CostLimitError();
    return { value, cost: spent };
  } finally {
    spent += outerSpent;
    limit = outerLimit;
  }
}

