/**
 * The contract between a kind's definition (src/api/kinds/*) and everything generic that serves it
 * (the API server's handlers, discovery, OpenAPI, Table output, patching, protobuf decoding).
 * One `ResourceDefinition` per served resource; the registry (src/api/registry.ts) holds them all.
 * Generic code must never special-case a kind by name: what differs between kinds lives here.
 */
import type { KubeObject } from './meta.js';
import type { DecodeFailure } from './schema/decode-errors.js';
import type { FieldError } from './status.js';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export type SubresourceName = 'status' | 'scale' | 'ephemeralcontainers' | 'binding' | 'eviction' | 'log' | 'exec' | 'attach' | 'portforward' | 'proxy';

/** What the server may know about one field, looked up by its path of field names (list indices dropped). */
export interface FieldInfo {
  type: 'object' | 'array' | 'map' | 'string' | 'integer' | 'number' | 'boolean' | 'int-or-string' | 'quantity' | 'any';
  /** Strategic merge patch: the key that identifies list items (x-kubernetes-patch-merge-key). */
  patchMergeKey?: string;
  /** Strategic merge patch: 'merge', 'replace', 'retainKeys' or 'merge,retainKeys' (x-kubernetes-patch-strategy). */
  patchStrategy?: string;
  /** Server-side apply: how a list is owned (x-kubernetes-list-type). */
  listType?: 'atomic' | 'set' | 'map';
  /** Server-side apply: the item keys of a `map` list (x-kubernetes-list-map-keys). */
  listMapKeys?: string[];
  /** Server-side apply: 'atomic' maps/objects are owned as a whole (x-kubernetes-map-type). */
  mapType?: 'atomic' | 'granular';
}

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0: always shown; 1+: only with `-o wide`. */
  priority: number;
}

export interface ScaleInfo {
  /** JSON pointer-like dotted paths inside the object. */
  specReplicasPath: string;
  statusReplicasPath: string;
  /** Where the label selector lives (spec.selector for apps kinds). */
  selectorPath: string;
  /** The selector is a plain label map (v1 ReplicationController), not a LabelSelector. */
  selectorIsLabelMap?: boolean;
  /**
   * A patched Scale's metadata.uid must be the parent's (409): the built-in kinds'
   * scaleUpdatedObjectInfo checks it, custom resources' does not.
   */
  checksUid?: boolean;
}

export interface ResourceDefinition<T extends KubeObject = KubeObject> {
  group: string;               // '' for core
  version: string;             // 'v1'
  kind: string;                // 'Pod'
  listKind: string;            // 'PodList'
  plural: string;              // 'pods'
  singular: string;            // 'pod'
  namespaced: boolean;
  shortNames: string[];        // ['po']
  categories: string[];        // ['all']
  verbs: Verb[];
  subresources: SubresourceName[];
  scale?: ScaleInfo;

  /**
   * Fill defaults in place (Pod restartPolicy, dnsPolicy, ...). Runs on create, update and patch
   * results. `subresource: 'status'`: a /status write, whose fields other than metadata and status
   * are the stored object's (defaulted already), so the schema's defaults may skip them.
   */
  applyDefaults(obj: T, subresource?: 'status'): void;
  /**
   * Validate a whole object after defaulting. `old` is the stored object on update (immutable fields
   * are checked against it). Metadata name/labels/annotations checks are included. `subresource:
   * 'status'`: structural checks cover metadata and status only, the rest being the stored object's
   * (upstream's status strategies validate metadata and status; kind rules still run).
   */
  validate(obj: T, old?: T, subresource?: 'status'): FieldError[];
  /** Paths (Kubernetes notation, e.g. `spec.containers[0].imagee`) of fields the schema does not define. */
  unknownFields(obj: unknown, holders?: [Record<string, unknown>, string][]): string[];
  /**
   * What decoding the object into its Go type fails on first (a value of the wrong JSON type, a
   * `byte` field that is not base64): built-in kinds only, custom resources are not decoded into types.
   */
  decodeFailure?(obj: unknown): DecodeFailure | undefined;
  /** Schema facts for the field at `path` (e.g. ['spec','template','spec','containers']). */
  fieldInfo(path: string[]): FieldInfo | undefined;

  /** When true, status is a subresource: writes to the main resource keep the stored status, and vice versa. */
  hasStatusSubresource: boolean;
  /** Whether a change of `spec` (everything but metadata and status) bumps metadata.generation. */
  tracksGeneration: boolean;

  /** Field-selector values this kind supports besides metadata.name/metadata.namespace (e.g. spec.nodeName). */
  selectableFields(obj: T): Record<string, string>;

  tableColumns: TableColumn[];
  /** Cells in column order; the server formats ages itself. */
  tableRow(obj: T, now: Date): unknown[];

  /** OpenAPI: the definition name (io.k8s.api.core.v1.Pod) and every schema it needs, keyed by definition name. */
  openapi: { definition: string; schemas: Record<string, unknown> };

  /** Protobuf: the fully qualified message name of this kind (k8s.io.api.core.v1.Pod), if bodies in protobuf are accepted. */
  protobufMessage?: string;

  /**
   * Set when this version is served from another version's storage (autoscaling/v1
   * HorizontalPodAutoscaler from v2): objects are converted to the stored form before every write
   * and back after every read, as kube-apiserver's storage-version conversion.
   */
  storageVersion?: StorageVersionConversion;

  /**
   * Custom resources whose schema has defaults: applied to every object read from storage too, so a
   * default added to a CRD shows on objects stored before it (apiextensions-apiserver defaults in
   * its storage decoder). Mutates.
   */
  defaultOnRead?: (obj: KubeObject) => void;

  /**
   * Custom resources: no strategic merge patch (refused with 415), so their OpenAPI PATCH operations
   * do not offer it and kubectl apply sends a JSON merge patch (as upstream's CRD OpenAPI builder).
   */
  noStrategicMergePatch?: boolean;
}

export interface StorageVersionConversion {
  toStored(obj: KubeObject): KubeObject;
  fromStored(obj: KubeObject): KubeObject;
}
