/**
 * What every verb of one resource's storage shares: the store, the definition and strategy, keys,
 * decoding (with a per-event cache so 1,000 watchers parse each event once), validation and the
 * namespace admission check.
 */
import type { DefaultTolerationSeconds } from '../admission/default-toleration-seconds.js';
import { cloneJson } from '../../api/json-clone.js';
import type { KubeObject } from '../../api/meta.js';
import { deepFreeze, mutationDetectorEnabled } from '../../api/mutation-detector.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { errors, failure, type FieldError } from '../../api/status.js';
import type { KeyValue, Store } from '../../store/types.js';
import { decodeKv, decodeObject, noteStored } from './codec.js';
import { invalid } from './errors.js';
import { objectKey, resourcePrefix } from './keys.js';
import { selectableFieldNames } from './selection.js';
import type { Strategy } from './strategies/types.js';
import { readNamespace } from './watched-reads.js';

export interface StorageOptions {
  /** Interval of watch BOOKMARK events (default 10 s; upstream sends about one a minute). */
  bookmarkIntervalMs?: number;
  /** DefaultTolerationSeconds admission's values (absent: the plugin is off, as in unit tests). */
  defaultTolerationSeconds?: DefaultTolerationSeconds;
  /** Freeze what writers read and watchers share (default: the cache mutation detector's setting, on in tests). */
  detectMutations?: boolean;
}

export class StorageCore {
  readonly prefix: string;
  /** Field names usable in field selectors. */
  readonly selectableFields: Set<string>;
  private readonly shared = new WeakMap<KeyValue, KubeObject>();
  /** Versions a later event replaced, whose shared decodings go once that event's watchers had it. */
  private superseded = new Set<KeyValue>();
  private readonly detectMutations: boolean;

  constructor(readonly store: Store, readonly def: ResourceDefinition, readonly strategy: Strategy, readonly options: StorageOptions = {}) {
    this.prefix = resourcePrefix(def);
    this.selectableFields = selectableFieldNames(def);
    this.detectMutations = options.detectMutations ?? mutationDetectorEnabled();
  }

  /** The namespace a request works in: required for namespaced kinds, ignored for cluster-scoped ones. */
  scope(namespace: string | undefined): string | undefined {
    if (!this.def.namespaced) return undefined;
    if (!namespace) throw errors.badRequest('the server could not find the requested resource: a namespace is required');
    return namespace;
  }

  key(namespace: string | undefined, name: string): string {
    if (!name) throw errors.badRequest('resource name may not be empty');
    return objectKey(this.def, namespace, name);
  }

  /**
   * A private copy of the stored object: a clone of the shared decoding when a watch already made
   * one (a store that hands out the same KeyValue for reads and events, as the memory store does),
   * which is about twice as cheap as parsing the JSON again.
   */
  decode(kv: KeyValue): KubeObject {
    const shared = this.shared.get(kv);
    return shared ? cloneJson(shared) : decodeKv(this.def, kv);
  }

  /**
   * The stored object for reading only, callers never writing it nor anything in it (nor handing it
   * on to code that might): the shared decoding when a watch already made one, without the copy
   * decode() makes (a whole object per write, ~5% of a Job's control-plane CPU), else a fresh
   * decoding that is not kept. Under the cache mutation detector (tests) it is a frozen copy, so a
   * write into it fails there instead of corrupting what the watchers share.
   */
  readOnly(kv: KeyValue): KubeObject {
    const shared = this.shared.get(kv);
    if (!shared) return this.detectMutations ? deepFreeze(decodeKv(this.def, kv)) : decodeKv(this.def, kv);
    return this.detectMutations ? deepFreeze(cloneJson(shared)) : shared;
  }

  /** A decoded object shared by every reader of this KeyValue: callers must not mutate it. */
  decodeShared(kv: KeyValue): KubeObject {
    let obj = this.shared.get(kv);
    if (!obj) {
      obj = decodeKv(this.def, kv);
      noteStored(this.def, obj, kv.value, kv.modRevision);
      this.shared.set(kv, obj);
    }
    return obj;
  }

  /**
   * Stores `obj` as `text` (encodeObject's) through `write` and stamps `obj` with the revision
   * written (resourceVersion, and its JSON: noteStored): the write's result. Watchers decode the
   * version from `text` all the same (measured: handing them `obj` instead saved the parse but cost
   * more than it saved, as an object built by the write pipeline, with its deletes and the request
   * body's strings, is slower to clone and compare and heavier to keep than a parsed one).
   */
  async storeWritten(key: string, text: string, obj: KubeObject, write: () => Promise<KeyValue>): Promise<KeyValue> {
    const kv = await write();
    obj.metadata.resourceVersion = String(kv.modRevision);
    noteStored(this.def, obj, text, kv.modRevision);
    return kv;
  }

  /**
   * `kv` was replaced (or deleted) by an event now being delivered: its shared decoding is dropped
   * once every watcher had that event (a macrotask later; the watchers of one store event are all
   * fed within the microtasks of its delivery). Writers only read the current version, so the
   * decodings kept are one per object, as upstream's watch cache: a store that keeps its history
   * as KeyValues (the memory store, until compaction) would otherwise keep every past version's
   * decoded object alive too, several times the size of its JSON, for the garbage collector to
   * promote and mark again and again. A watcher replaying history later decodes such a version
   * again.
   */
  supersede(kv: KeyValue): void {
    if (this.superseded.size === 0) setImmediate(() => this.release());
    this.superseded.add(kv);
  }

  private release(): void {
    const done = this.superseded;
    this.superseded = new Set();
    for (const kv of done) this.shared.delete(kv);
  }

  /** The value of `kv` as it was, stamped with another revision (DELETED events carry the delete's revision). */
  decodeAt(kv: KeyValue, revision: number): KubeObject {
    return decodeObject(this.def, kv.value, revision);
  }

  /**
   * Definition plus strategy validation; throws 422 naming every invalid field. `subresource:
   * 'status'`: a /status write, fields other than metadata and status being the stored object's.
   */
  validate(obj: KubeObject, old?: KubeObject, subresource?: 'status'): void {
    const errs: FieldError[] = [...this.def.validate(obj, old, subresource), ...(this.strategy.validate?.(obj, old) ?? [])];
    if (errs.length > 0) throw invalid(this.def, obj.metadata?.name, errs);
  }

  /** The body's apiVersion and kind, when given, must be this resource's. */
  checkTypeMeta(obj: KubeObject): void {
    const apiVersion = this.def.group ? `${this.def.group}/${this.def.version}` : this.def.version;
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`);
    }
    if (obj.kind !== undefined && obj.kind !== this.def.kind) {
      throw errors.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${this.def.kind})`);
    }
  }

  /** NamespaceLifecycle admission for creates: the namespace must exist and not be terminating. */
  async admitNamespace(namespace: string, name: string): Promise<void> {
    const ns = await readNamespace(this.store, namespace);
    if (!ns) throw errors.notFound({ kind: 'Namespace', resource: 'namespaces', name: namespace });
    if (ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') {
      const resource = this.def.group ? `${this.def.plural}.${this.def.group}` : this.def.plural;
      const message = `${resource} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`;
      throw failure(403, 'Forbidden', message, {
        name, group: this.def.group || undefined, kind: this.def.plural,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }
}

