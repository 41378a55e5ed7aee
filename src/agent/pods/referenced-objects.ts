/**
 * The Secrets and ConfigMaps the node's pods reference, each watched on its own (the kubelet's
 * watch-based secret and configmap managers, pkg/kubelet/util/manager/watch_based_manager.go): one
 * list+watch per referenced object with `fieldSelector=metadata.name=<name>` in the pod's namespace,
 * started when a pod needing it is synced and stopped when the last such pod is gone. The node
 * authorizer lets a node read exactly these (a pod bound to it references them), and no others:
 * an agent cannot watch every secret of the cluster.
 *
 * Lookups are synchronous (env and volume rendering read the caches); `ready(pod)` registers the
 * pod's references and waits, at most `syncTimeoutMs`, for their first list, as the kubelet's
 * GetSecret waits for its reflector. A change to a watched object calls `onChange(namespace)`, which
 * re-syncs that namespace's pods so mounted files follow.
 */
import type { ConfigMap, Pod, Secret } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import { podReferences } from '../../api/pod-references.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources, type ResourceRef } from '../../client/resource-ref.js';
import { SharedInformer } from '../../controller-runtime/informer/index.js';
import type { Logger } from '../../controller-runtime/log.js';
import type { ObjectLookup } from '../downward-api/object-lookup.js';

export interface ReferencedObjectsOptions {
  client: KubeClient;
  /** An object a pod in `namespace` uses was added, changed or deleted. */
  onChange: (namespace: string) => void;
  /** How long `ready` waits for a new watch's first list (default 5 s; the sync then fails and retries). */
  syncTimeoutMs?: number;
  logger?: Logger;
}

interface Watched {
  informer: SharedInformer;
  pods: number;
}

const keyOf = (ref: ResourceRef, ns: string, name: string): string => `${ref.resource}/${ns}/${name}`;

export class ReferencedObjects implements ObjectLookup {
  private readonly watched = new Map<string, Watched>();
  /** The object keys each pod (by uid) holds. */
  private readonly byPod = new Map<string, Set<string>>();
  private stopped = false;

  constructor(private readonly o: ReferencedObjectsOptions) {}

  configMap(namespace: string, name: string): ConfigMap | undefined {
    return this.cached(resources.configmaps, namespace, name);
  }

  secret(namespace: string, name: string): Secret | undefined {
    return this.cached(resources.secrets, namespace, name);
  }

  /** How many objects are watched (tests, metrics). */
  get size(): number {
    return this.watched.size;
  }

  /** Watches what `pod` references (dropping what it no longer does) and waits for those watches' first lists. */
  async ready(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid;
    if (!uid || this.stopped) return;
    const ns = pod.metadata.namespace ?? 'default';
    const refs = podReferences(pod);
    const want = new Map<string, [ResourceRef, string]>();
    for (const name of refs.secrets) want.set(keyOf(resources.secrets, ns, name), [resources.secrets, name]);
    for (const name of refs.configMaps) want.set(keyOf(resources.configmaps, ns, name), [resources.configmaps, name]);
    const had = this.byPod.get(uid) ?? new Set<string>();
    for (const [key, [ref, name]] of want) if (!had.has(key)) this.acquire(key, ref, ns, name);
    for (const key of had) if (!want.has(key)) this.releaseKey(key);
    if (want.size) this.byPod.set(uid, new Set(want.keys()));
    else this.byPod.delete(uid);
    await Promise.all([...want.keys()].map((key) => this.waitSynced(key, ns)));
  }

  /** The pod is gone: stop watching what only it used. */
  release(uid: string): void {
    for (const key of this.byPod.get(uid) ?? []) this.releaseKey(key);
    this.byPod.delete(uid);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.watched.values()];
    this.watched.clear();
    this.byPod.clear();
    await Promise.all(all.map((w) => w.informer.stop()));
  }

  private cached(ref: ResourceRef, ns: string, name: string): KubeObject | undefined {
    return this.watched.get(keyOf(ref, ns, name))?.informer.indexer.get(`${ns}/${name}`);
  }

  private acquire(key: string, ref: ResourceRef, ns: string, name: string): void {
    const w = this.watched.get(key);
    if (w) {
      w.pods++;
      return;
    }
    const informer = new SharedInformer(this.o.client, ref, { namespace: ns, fieldSelector: `metadata.name=${name}`, logger: this.o.logger });
    const changed = () => this.o.onChange(ns);
    informer.addEventHandler({ onAdd: (_obj, initial) => !initial && changed(), onUpdate: changed, onDelete: changed });
    informer.start();
    this.watched.set(key, { informer, pods: 1 });
  }

  private releaseKey(key: string): void {
    const w = this.watched.get(key);
    if (!w || --w.pods > 0) return;
    this.watched.delete(key);
    void w.informer.stop();
  }

  private async waitSynced(key: string, ns: string): Promise<void> {
    const informer = this.watched.get(key)?.informer;
    if (!informer || informer.hasSynced()) return;
    const timeout = AbortSignal.timeout(this.o.syncTimeoutMs ?? 5_000);
    if (await informer.waitForSync(timeout)) return;
    // Not listed in time (API slow or unreachable): the sync goes on without it (a missing object
    // is the pod's CreateContainerConfigError); the first list re-syncs the namespace's pods.
    void informer.waitForSync().then((synced) => synced && this.o.onChange(ns));
  }
}
