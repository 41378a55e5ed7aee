/**
 * The node authorizer's fast path (upstream keeps its graph in memory the same way, fed by a pod
 * informer, plugin/pkg/auth/authorizer/node/graph_populator.go): for every node, how many of its
 * bound pods reference each secret, configmap, PVC and service account. Fed by a watch on the pods
 * storage, started on the first question and restarted (from a fresh list) on the next question
 * after the watch ended.
 *
 * It answers only "yes": an object it does not know of may belong to a pod bound a moment ago whose
 * event is still on its way, so node-graph.ts confirms every "no" against the store.
 */
import type { KubeObject } from '../../api/meta.js';
import { podReferences, type PodLike } from '../../api/pod-references.js';
import type { RequestContext, ResourceStorage, WatchStream } from '../storage/types.js';

const systemContext = (): RequestContext => ({
  user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', warnings: [],
});

interface Indexed { node: string; keys: string[] }

const refKey = (kind: string, namespace: string, name: string): string => `${kind}/${namespace}/${name}`;

function keysOf(pod: PodLike & { metadata?: { namespace?: string } }): string[] {
  const ns = pod.metadata?.namespace ?? '';
  const r = podReferences(pod);
  return [
    ...[...r.secrets].map((n) => refKey('secrets', ns, n)),
    ...[...r.configMaps].map((n) => refKey('configmaps', ns, n)),
    ...[...r.persistentVolumeClaims].map((n) => refKey('persistentvolumeclaims', ns, n)),
    ...[...r.serviceAccounts].map((n) => refKey('serviceaccounts', ns, n)),
  ];
}

export class PodReferenceIndex {
  /** node -> reference key -> number of the node's pods holding it. */
  private readonly byNode = new Map<string, Map<string, number>>();
  /** namespace/name of every indexed pod -> what it added. */
  private readonly pods = new Map<string, Indexed>();
  private watch?: WatchStream;
  private state: 'idle' | 'starting' | 'ready' = 'idle';

  constructor(private readonly storage: () => ResourceStorage | undefined) {}

  /** True when a pod bound to `node` is known to reference the object; false means "not known". */
  has(node: string, kind: string, namespace: string, name: string): boolean {
    if (this.state === 'idle') void this.start();
    return this.state === 'ready' && (this.byNode.get(node)?.get(refKey(kind, namespace, name)) ?? 0) > 0;
  }

  stop(): void {
    this.watch?.stop();
    this.watch = undefined;
  }

  private async start(): Promise<void> {
    const pods = this.storage();
    if (!pods) return;
    this.state = 'starting';
    try {
      const list = await pods.list(systemContext(), undefined, {});
      this.byNode.clear();
      this.pods.clear();
      for (const p of list.items) this.upsert(p);
      this.watch = await pods.watch(systemContext(), undefined, { resourceVersion: list.metadata?.resourceVersion }, {
        onEvent: (ev) => {
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.upsert(ev.object);
          else if (ev.type === 'DELETED') this.remove(podKey(ev.object));
        },
        // Ended (store closed, history compacted, server stopping): the next question starts over.
        onClose: () => {
          this.state = 'idle';
          this.watch = undefined;
        },
      });
      if (this.state === 'starting') this.state = 'ready';
    } catch {
      this.state = 'idle';
    }
  }

  private upsert(pod: KubeObject): void {
    const key = podKey(pod);
    this.remove(key);
    const node = (pod as { spec?: { nodeName?: string } }).spec?.nodeName;
    if (!node) return;
    const keys = keysOf(pod as PodLike);
    let refs = this.byNode.get(node);
    if (!refs) this.byNode.set(node, (refs = new Map()));
    for (const k of keys) refs.set(k, (refs.get(k) ?? 0) + 1);
    this.pods.set(key, { node, keys });
  }

  private remove(key: string): void {
    const had = this.pods.get(key);
    if (!had) return;
    this.pods.delete(key);
    const refs = this.byNode.get(had.node);
    if (!refs) return;
    for (const k of had.keys) {
      const n = (refs.get(k) ?? 0) - 1;
      if (n > 0) refs.set(k, n);
      else refs.delete(k);
    }
    if (refs.size === 0) this.byNode.delete(had.node);
  }
}

const podKey = (pod: KubeObject): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
