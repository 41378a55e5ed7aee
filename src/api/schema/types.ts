/**
 * The schema node shapes of Bosun's schema DSL. One tree per kind gives its TypeScript type
 * (`Infer`), its defaults, structural validation, unknown-field detection, field facts for patching
 * and its OpenAPI v3 component schemas. Nodes are plain readonly data built by `s.*` (builders.ts).
 */
import type { FieldError } from '../status.js';

/** Facts shared by every node. */
export interface NodeBase {
  /** Field-level documentation (OpenAPI `description`, what `kubectl explain` prints). */
  readonly description?: string;
  /** Value filled in when the field is absent and its parent object exists (apimachinery defaulters). */
  readonly default?: unknown;
  /** Protobuf field number in k8s.io/api's generated.proto, where recorded. */
  readonly protoTag?: number;
}

export interface StringNode<E extends string = string> extends NodeBase {
  readonly type: 'string';
  readonly _t?: E;
  readonly enum?: readonly E[];
  /** OpenAPI format: `date-time` for metav1.Time, `byte` for base64 data. */
  readonly format?: 'date-time' | 'byte';
}
export interface IntegerNode extends NodeBase {
  readonly type: 'integer';
  readonly _t?: number;
  readonly format?: 'int32' | 'int64';
}
export interface NumberNode extends NodeBase {
  readonly type: 'number';
  readonly _t?: number;
}
export interface BooleanNode extends NodeBase {
  readonly type: 'boolean';
  readonly _t?: boolean;
}
/** intstr.IntOrString: `8080` or `"http"` / `"25%"`. */
export interface IntOrStringNode extends NodeBase {
  readonly type: 'int-or-string';
  readonly _t?: number | string;
}
/** resource.Quantity: `"500m"`, `"1Gi"`, or a bare number. */
export interface QuantityNode extends NodeBase {
  readonly type: 'quantity';
  readonly _t?: string | number;
}
/** Anything at all (x-kubernetes-preserve-unknown-fields); never reports unknown fields below. */
export interface AnyNode extends NodeBase {
  readonly type: 'any';
  readonly _t?: any;
}

export interface ListFacts {
  readonly patchMergeKey?: string;
  readonly patchStrategy?: string;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
}

export interface ArrayNode<I extends Node = Node> extends NodeBase, ListFacts {
  readonly type: 'array';
  readonly items: I;
  readonly _t?: NonNullable<T_<I>>[];
}

/** map[string]V. */
export interface MapNode<V extends Node = Node> extends NodeBase {
  readonly type: 'map';
  readonly values: V;
  readonly _t?: Record<string, NonNullable<T_<V>>>;
  readonly mapType?: 'atomic' | 'granular';
}

export type Props = { readonly [name: string]: Node };

/** Context handed to node hooks: the path of the node in Kubernetes notation. */
export type Validator<T = any> = (value: T, path: string, root: unknown) => FieldError[];
export type Defaulter<T = any> = (value: T) => void;

export interface ObjectNode<P extends Props = Props, R extends keyof P & string = never> extends NodeBase {
  readonly type: 'object';
  readonly props: P;
  readonly _t?: InferObject<P, R>;
  readonly required: readonly R[];
  /** OpenAPI component name (io.k8s.api.core.v1.Container); named objects become `$ref`s. */
  readonly name?: string;
  /** Type-level documentation of a named object (the component's description). */
  readonly typeDescription?: string;
  /** Accept and keep fields not listed in `props` (loosely typed subtrees). */
  readonly preserveUnknown?: boolean;
  readonly mapType?: 'atomic' | 'granular';
  /** Strategic merge patch strategy of the object field itself (`retainKeys` on Deployment strategy). */
  readonly patchStrategy?: string;
  /** Upstream's x-kubernetes-group-version-kind, on top-level kinds. */
  readonly gvk?: readonly { group: string; version: string; kind: string }[];
  /** Runs after static defaults of this object and its children (SetDefaults_Container and friends). */
  readonly defaulter?: Defaulter;
  /** Semantic checks run after structural validation succeeded for this object. */
  readonly validator?: Validator;
}

export type Node =
  | StringNode<string>
  | IntegerNode
  | NumberNode
  | BooleanNode
  | IntOrStringNode
  | QuantityNode
  | AnyNode
  | ArrayNode<any>
  | MapNode<any>
  | ObjectNode<any, any>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The value type a node carries (a phantom, computed once where the node is built). */
type T_<N> = N extends { readonly _t?: infer T } ? T : unknown;

/** The TypeScript type a schema node describes. Required props are non-optional. */
export type Infer<S> = NonNullable<T_<S>>;

export type InferObject<P extends Props, R extends keyof P> = Simplify<
  { -readonly [K in R & keyof P]: NonNullable<T_<P[K]>> } & { -readonly [K in Exclude<keyof P, R>]?: NonNullable<T_<P[K]>> }
>;
