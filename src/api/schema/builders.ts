/**
 * Builders for schema nodes: `s.object({...})`, `s.string({ enum: [...] })`, `s.array(x, facts)`.
 * Every builder takes an optional description as a plain string or inside its options.
 */
import type {
  AnyNode, ArrayNode, InferObject, BooleanNode, Defaulter, IntegerNode, IntOrStringNode, ListFacts, MapNode, Node, NodeBase,
  NumberNode, ObjectNode, Props, QuantityNode, StringNode, Validator,
} from './types.js';

type Opts<N> = string | Omit<Partial<N>, 'type'>;

function opts<N>(o: Opts<N> | undefined): Omit<Partial<N>, 'type'> {
  return (typeof o === 'string' ? { description: o } : (o ?? {})) as unknown as Omit<Partial<N>, 'type'>;
}

export interface ObjectOpts<P extends Props, R extends keyof P & string> extends NodeBase {
  required?: readonly R[];
  name?: string;
  typeDescription?: string;
  mapType?: 'atomic' | 'granular';
  patchStrategy?: string;
  gvk?: readonly { group: string; version: string; kind: string }[];
  defaulter?: Defaulter;
  validator?: Validator;
}

/** A loosely typed object node: its value type also allows any extra field. */
export type LooseNode<P extends Props> = Omit<ObjectNode<P, never>, '_t'> & {
  readonly preserveUnknown: true;
  readonly _t?: InferObject<P, never> & { [extra: string]: any };
};

type StringOpts = Omit<Partial<StringNode<string>>, 'type' | 'enum'>;

function stringNode<const E extends string>(o: StringOpts & { enum: readonly E[]; default?: E }): StringNode<E>;
function stringNode(o?: string | StringOpts): StringNode<string>;
function stringNode(o?: string | (StringOpts & { enum?: readonly string[] })): StringNode<string> {
  return { type: 'string', ...opts<StringNode>(o) };
}

export const s = {
  string: stringNode,
  /** A metav1.Time (RFC 3339 string). */
  time(o?: Opts<StringNode>): StringNode {
    return { type: 'string', format: 'date-time', ...opts<StringNode>(o) };
  },
  /** Base64-encoded bytes ([]byte in Go). */
  bytes(o?: Opts<StringNode>): StringNode {
    return { type: 'string', format: 'byte', ...opts<StringNode>(o) };
  },
  int(o?: Opts<IntegerNode>): IntegerNode {
    return { type: 'integer', format: 'int32', ...opts<IntegerNode>(o) };
  },
  int64(o?: Opts<IntegerNode>): IntegerNode {
    return { type: 'integer', format: 'int64', ...opts<IntegerNode>(o) };
  },
  number(o?: Opts<NumberNode>): NumberNode {
    return { type: 'number', ...opts<NumberNode>(o) };
  },
  bool(o?: Opts<BooleanNode>): BooleanNode {
    return { type: 'boolean', ...opts<BooleanNode>(o) };
  },
  intOrString(o?: Opts<IntOrStringNode>): IntOrStringNode {
    return { type: 'int-or-string', ...opts<IntOrStringNode>(o) };
  },
  quantity(o?: Opts<QuantityNode>): QuantityNode {
    return { type: 'quantity', ...opts<QuantityNode>(o) };
  },
  any(o?: Opts<AnyNode>): AnyNode {
    return { type: 'any', ...opts<AnyNode>(o) };
  },
  array<I extends Node>(items: I, o?: string | (NodeBase & ListFacts)): ArrayNode<I> {
    return { type: 'array', items, ...opts<ArrayNode<I>>(o) } as ArrayNode<I>;
  },
  /** A list of strings owned as a whole (command, args, finalizers of a spec...). */
  strings(o?: string | (NodeBase & ListFacts)): ArrayNode<StringNode> {
    return { type: 'array', items: { type: 'string' }, listType: 'atomic', ...opts<ArrayNode<StringNode>>(o) } as ArrayNode<StringNode>;
  },
  map<V extends Node>(values: V, o?: Opts<MapNode<V>>): MapNode<V> {
    return { type: 'map', values, ...opts<MapNode<V>>(o) } as MapNode<V>;
  },
  /** map[string]string (labels, annotations, selectors, data). */
  stringMap(o?: Opts<MapNode<StringNode>>): MapNode<StringNode> {
    return { type: 'map', values: { type: 'string' }, ...opts<MapNode<StringNode>>(o) } as MapNode<StringNode>;
  },
  object<P extends Props, const R extends keyof P & string = never>(props: P, o?: string | ObjectOpts<P, R>): ObjectNode<P, NoInfer<R>> {
    const { required, ...rest } = typeof o === 'string' ? { description: o, required: undefined } : (o ?? {});
    const typeDescription = rest.typeDescription ?? (rest.name ? rest.description : undefined);
    return { type: 'object', props, required: (required ?? []) as readonly R[], ...rest, typeDescription };
  },
  /**
   * A loosely typed object: the listed props are typed, everything else is accepted and kept.
   * Used for deep, rarely used upstream subtrees (affinity terms, securityContext internals).
   */
  loose<P extends Props = {}>(props?: P, o?: string | ObjectOpts<P, never>): LooseNode<P> {
    const rest = typeof o === 'string' ? { description: o } : (o ?? {});
    const typeDescription = rest.typeDescription ?? (rest.name ? rest.description : undefined);
    return { type: 'object', props: (props ?? {}) as P, required: [], ...rest, typeDescription, preserveUnknown: true } as LooseNode<P>;
  },
};
