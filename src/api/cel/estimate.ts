/**
 * The static cost estimate of a compiled CEL expression, computed as cel-go's checker/cost.go
 * (cel.Env.EstimateCost) computes it with the Kubernetes library's estimator, over a cel-js AST:
 * identifiers and field selections on maps and objects cost 1, literals 0, list and map literals
 * 10 and 30, calls 1 unless their cost depends on their operands' sizes (estimate-calls.ts), `&&`
 * and `||` their operands, `?:` the condition plus the dearer branch, and a comprehension (all,
 * exists, exists_one, map, filter, cel.bind) its range size times the cost of one step of cel-go's
 * macro expansion (estimate-macros.ts). Sizes come from literals, from the results of sized calls, and from the
 * declared types of the variables along a field path (`self.spec.items.@items`), as upstream's
 * sizeEstimator looks up MaxElements in the schema's DeclType; `has()` costs nothing itself
 * (Kubernetes sets PresenceTestHasCost(false)). The result's `max` is what upstream compares with
 * its limits.
 */
import type { ASTNode } from '@marcbachmann/cel-js';
import { builtinCallCost, concatCost, kubernetesCallCost, type CallEstimate, type Operand, type PathSizer } from './estimate-calls.js';
import { iterationCost } from './estimate-macros.js';
import {
  add, entryUnion, fixed, fromTypeName, isScalar, literalSize, mul, sum, union, DYN, MAX_U64, UNKNOWN,
  type Cost, type DeclType, type Entry, type Facts, type Local, type Node, type Size,
} from './estimate-types.js';

const ACCU = '@result';
const QUANTIFIERS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
/** Estimates one expression; `vars` declares the variables' types, `sizer` sizes field paths. */
class Coster {
  private readonly facts = new Map<Node, Facts>();
  private readonly locals = new Map<string, Local[]>();

  constructor(private readonly vars: Readonly<Record<string, DeclType>>, private readonly sizer: PathSizer) {}

  private local(name: string): Local | undefined {
    const s = this.locals.get(name);
    return s?.[s.length - 1];
  }
  private push(name: string, l: Local): void {
    this.locals.set(name, [...(this.locals.get(name) ?? []), l]);
  }
  private pop(name: string): void {
    this.locals.get(name)?.pop();
  }
  private set(n: Node, f: Facts): void {
    this.facts.set(n, f);
  }
  private typeOf(n: Node): DeclType {
    return this.facts.get(n)?.type ?? fromTypeName(n.checkedType?.name);
  }
  private pathOf(n: Node): readonly string[] {
    if (n.op === 'id') return this.local(n.args as string)?.path ?? [n.args as string];
    return this.facts.get(n)?.path ?? [];
  }

  /** cel-go's computeSize: a computed size, a literal's, the path's, 1 for scalars, a local's. */
  size(n: Node): Size | undefined {
    const known = this.facts.get(n)?.size;
    if (known) return known;
    const lit = literalSize(n);
    if (lit) return lit;
    const path = this.pathOf(n);
    if (path.length > 0) {
      const s = this.sizer(path);
      if (s) return s;
    }
    if (isScalar(this.typeOf(n))) return fixed(1);
    return n.op === 'id' ? this.local(n.args as string)?.size : undefined;
  }
  private entry(n: Node): Entry | undefined {
    return this.facts.get(n)?.entry ?? (n.op === 'id' ? this.local(n.args as string)?.entry : undefined);
  }
  private operand(n: Node): Operand {
    const path = this.pathOf(n);
    return { type: this.typeOf(n), path: path[0] === ACCU ? undefined : path, size: this.size(n), ...(n.op === 'value' ? { literal: n.args } : {}) };
  }

  cost(n: Node): Cost {
    switch (n.op) {
      case 'value': return fixed(0);
      case 'id': return this.ident(n);
      case '.': return this.select(n);
      case '.?': return this.optionalSelect(n);
      case 'list': return this.list(n);
      case 'map': return this.map(n);
      case '?:': return this.conditional(n);
      case 'call': case 'rcall': return this.call(n);
      case '-_':
        // cel-go's parser reads `-1` and `-1.0` as literals
        if ((n.args as Node).op === 'value') return fixed(0);
        return this.operator(n, n.op, [n.args as Node]);
      case '!_': return this.operator(n, n.op, [n.args as Node]);
      default:
        if (!Array.isArray(n.args)) throw new Error(`unexpected expression ${n.op}`);
        return this.operator(n, n.op, n.args as Node[]);
    }
  }

  private ident(n: Node): Cost {
    const name = n.args as string;
    const l = this.local(name);
    this.set(n, { type: l?.type ?? this.vars[name] ?? fromTypeName(n.checkedType?.name), path: l?.path ?? [name] });
    return fixed(1);
  }

  private select(n: Node): Cost {
    const [operand, field] = n.args as [Node, string];
    const c = this.cost(operand);
    const t = this.typeOf(operand);
    const type = t.kind === 'object' ? t.fields?.get(field) ?? DYN : t.kind === 'map' ? t.elem ?? DYN : DYN;
    this.set(n, { type, path: [...this.pathOf(operand), field] });
    return t.kind === 'map' || t.kind === 'object' ? add(c, fixed(1)) : c;
  }

  /** `x.?f` is cel-go's call `_?._(x, "f")`: 1 plus the operand, an optional of the field's type. */
  private optionalSelect(n: Node): Cost {
    const [operand, field] = n.args as [Node, string];
    const c = this.cost(operand);
    const t = this.typeOf(operand);
    const elem = t.kind === 'object' ? t.fields?.get(field) ?? DYN : t.kind === 'map' ? t.elem ?? DYN : DYN;
    this.set(n, { type: { kind: 'optional', elem, maxElements: 0, minSize: 1 } });
    return add(c, fixed(1));
  }

  private list(n: Node): Cost {
    const elems = n.args as Node[];
    let item: Size = { min: elems.length === 0 ? 0 : MAX_U64, max: 0 };
    const c = sum(elems.map((e) => {
      const ec = this.cost(e);
      item = union(item, this.size(e) ?? UNKNOWN);
      return ec;
    }));
    const elem = elems[0] ? this.typeOf(elems[0]) : DYN;
    this.set(n, { type: { ...fromTypeName(n.checkedType?.name), elem }, entry: { list: true, key: fixed(1), val: item } });
    return add(c, fixed(10));
  }

  private map(n: Node): Cost {
    const entries = n.args as [Node, Node][];
    const empty = entries.length === 0 ? 0 : MAX_U64;
    let key: Size = { min: empty, max: 0 };
    let val: Size = { min: empty, max: 0 };
    const c = sum(entries.map(([k, v]) => {
      const kc = add(this.cost(k), this.cost(v));
      key = union(key, this.size(k) ?? UNKNOWN);
      val = union(val, this.size(v) ?? UNKNOWN);
      return kc;
    }));
    const t = fromTypeName(n.checkedType?.name);
    this.set(n, { type: { ...t, elem: entries[0] ? this.typeOf(entries[0][1]) : t.elem ?? DYN }, entry: { list: false, key, val } });
    return add(c, fixed(30));
  }

  private conditional(n: Node): Cost {
    const [c, t, f] = n.args as [Node, Node, Node];
    const costs = [this.cost(c), this.cost(t), this.cost(f)] as const;
    const tt = this.typeOf(t);
    const entry = entryUnion(this.entry(t), this.entry(f));
    this.set(n, { type: tt.kind === 'dyn' ? this.typeOf(f) : tt, size: union(this.size(t) ?? UNKNOWN, this.size(f) ?? UNKNOWN), ...(entry ? { entry } : {}) });
    return add(costs[0], union(costs[1], costs[2]));
  }

  /** Operators: cel-go calls with their own overloads (`_==_`, `_+_`, `_[_]`, `@in`, ...). */
  private operator(n: Node, op: string, args: Node[]): Cost {
    const argCosts = args.map((a) => this.cost(a));
    const ops = args.map((a) => this.operand(a));
    const [l, r] = ops;
    let est: CallEstimate | undefined;
    let facts: Facts = { type: fromTypeName(n.checkedType?.name) };
    if (op === '==') est = kubernetesCallCost('==', undefined, ops, this.sizer);
    if (!est && op === '+') {
      est = concatCost(l!, r!);
      const entry = entryUnion(this.entry(args[0]!), this.entry(args[1]!));
      const t = ['list', 'string', 'bytes'].includes(l!.type.kind) ? l!.type : r!.type;
      facts = { type: t.kind === 'dyn' ? facts.type : t, ...(entry ? { entry } : {}) };
    }
    if (op === '[]' || op === '[?]') facts = this.index(n, args[0]!, op === '[?]');
    if (op === '-_' || ['-', '*', '/', '%'].includes(op)) facts = { type: l!.type.kind === 'dyn' ? facts.type : l!.type };
    est ??= builtinCallCost(op, undefined, ops, argCosts);
    const cost = op === '&&' || op === '||' ? est!.cost : add(est?.cost ?? fixed(1), sum(argCosts));
    this.set(n, facts);
    const size = est?.size ?? this.size(n);
    if (size) this.set(n, { ...facts, size });
    return cost;
  }

  /** `_[_]`: the element type, and the path extended by `@items` or `@values` for its size. */
  private index(n: Node, container: Node, optional: boolean): Facts {
    const t = this.typeOf(container);
    const elem = t.kind === 'list' || t.kind === 'map' ? t.elem ?? DYN : DYN;
    const list = t.kind === 'list';
    const val = this.entry(container)?.val;
    return {
      type: optional ? { kind: 'optional', elem, maxElements: 0, minSize: 1 } : elem,
      ...(optional ? {} : { path: [...this.pathOf(container), list ? '@items' : '@values'] }),
      ...(val && !optional ? { size: val } : {}),
    };
  }

  private call(n: Node): Cost {
    const a = n.args as unknown[];
    const fn = a[0] as string;
    const member = n.op === 'rcall';
    let target = member ? (a[1] as Node) : undefined;
    const args = (member ? a[2] : a[1]) as Node[];
    if (n.meta?.alternate?.op === 'comprehension' && QUANTIFIERS.has(fn) && target) return this.comprehension(n, fn, target, args);
    if (n.meta?.macro && fn === 'has' && !member) return this.cost(((args[0] as Node).args as Node[])[0]!);
    if (n.meta?.macro && fn === 'bind' && target?.op === 'id' && target.args === 'cel') return this.bind(n, args);
    if (fn === 'dyn' && !member && args.length === 1) {
      const c = this.cost(args[0]!);
      this.set(n, { type: this.typeOf(args[0]!), ...(this.size(args[0]!) ? { size: this.size(args[0]!)! } : {}) });
      return add(c, fixed(1));
    }
    // a namespaced function (ip.isCanonical, strings.quote, optional.of) is one global name in cel-go
    let name = fn;
    if (target?.op === 'id' && this.isNamespace(target)) {
      name = `${target.args as string}.${fn}`;
      target = undefined;
    }
    const argCosts = args.map((x) => this.cost(x));
    const ops = args.map((x) => this.operand(x));
    let total = sum(argCosts);
    let t: Operand | undefined;
    if (target) {
      total = add(total, this.cost(target));
      t = this.operand(target);
    }
    const est = kubernetesCallCost(name, t, ops, this.sizer) ?? builtinCallCost(name, t, ops, argCosts);
    // an optional's value() and orValue() are of the optional's type (oldSelf.value() is self's type)
    const unwrapped = t?.type.kind === 'optional' && (fn === 'value' || fn === 'orValue') ? t.type.elem : undefined;
    const type = unwrapped ?? fromTypeName(n.checkedType?.name);
    this.set(n, { type });
    const size = est?.size ?? this.size(n);
    if (size) this.set(n, { type, size });
    return add(total, est?.cost ?? fixed(1));
  }

  private isNamespace(id: Node): boolean {
    const name = id.args as string;
    return !this.local(name) && !(name in this.vars);
  }

  /** cel.bind(v, init, body): an empty range (10), the initializer, and the body with `v` bound. */
  private bind(n: Node, args: Node[]): Cost {
    const [v, init, body] = args as [Node, Node, Node];
    let c = add(fixed(10), this.cost(init));
    const entry = this.entry(init);
    const size = this.size(init);
    this.push(v.args as string, { path: this.pathOf(init), type: this.typeOf(init), ...(size ? { size } : {}), ...(entry ? { entry } : {}) });
    c = add(c, this.cost(body));
    this.pop(v.args as string);
    const bs = this.size(body);
    const be = this.entry(body);
    this.set(n, { type: this.typeOf(body), ...(bs ? { size: bs } : {}), ...(be ? { entry: be } : {}) });
    return c;
  }

  /** all, exists, exists_one, map, filter: cel-go's macro expansion, costed step by step. */
  private comprehension(n: Node, fn: string, range: Node, args: Node[]): Cost {
    const listResult = fn === 'map' || fn === 'filter';
    let c = add(this.cost(range), fixed(listResult ? 10 : 0));
    const accuInit: Local = listResult
      ? { path: [ACCU], type: fromTypeName(n.checkedType?.name), size: fixed(0), entry: { list: true, key: fixed(1), val: fixed(0) } }
      : { path: [ACCU], type: fromTypeName(fn === 'exists_one' ? 'int' : 'bool'), size: fixed(1) };
    this.push(ACCU, accuInit);
    const rt = this.typeOf(range);
    const re = this.entry(range);
    const isList = re ? re.list : rt.kind === 'list';
    const iter = args[0]!.args as string;
    const iterType = isList ? rt.elem ?? DYN : rt.kind === 'map' ? rt.key ?? DYN : DYN;
    const iterSize = isList ? re?.val : re?.key;
    this.push(iter, { path: [...this.pathOf(range), isList ? '@items' : '@keys'], type: iterType, ...(iterSize ? { size: iterSize } : {}) });
    const body = args.slice(1).map((x) => this.cost(x));
    // the size of what map/filter append: the mapped value, or the element itself
    const val = listResult ? this.size(args[fn === 'filter' ? 0 : args.length - 1]!) ?? UNKNOWN : undefined;
    this.pop(iter);
    c = add(c, fixed(fn === 'exists_one' ? 2 : 1));
    this.pop(ACCU);
    const count = this.size(range) ?? UNKNOWN;
    c = add(c, mul(count, iterationCost(fn, body)));
    const type = fn === 'filter' ? { ...fromTypeName('list<dyn>'), elem: iterType } : fromTypeName(n.checkedType?.name);
    this.set(n, listResult
      ? { type, size: count, entry: { list: true, key: fixed(1), val: { min: 0, max: val!.max } } }
      : { type, size: fixed(1) });
    return c;
  }
}

/**
 * The estimated cost range of `ast` (a type-checked cel-js AST) with the variables typed by `vars`
 * and field paths sized by `sizer` (undefined where the path leads nowhere).
 */
export function estimateCost(ast: ASTNode, vars: Readonly<Record<string, DeclType>>, sizer: PathSizer): Cost {
  const c = new Coster(vars, sizer).cost(ast as unknown as Node);
  return { min: Math.min(c.min, c.max), max: c.max };
}

