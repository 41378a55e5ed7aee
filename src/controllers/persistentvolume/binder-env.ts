/**
 * What the binder reads and writes, so its decisions run on caches in the controller and on plain
 * maps in table tests. Reads are the informers' (possibly a little stale: a write that loses a race
 * gets 409 Conflict and the key is retried); writes go through the API.
 */
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import type { SharedInformerFactory } from '../../controller-runtime/informer/index.js';

export interface Writer<T> {
  update(obj: T): Promise<T>;
  updateStatus(obj: T): Promise<T>;
}

export interface BinderEnv {
  volume(name: string): Readonly<PersistentVolume> | undefined;
  allVolumes(): readonly Readonly<PersistentVolume>[];
  claim(namespace: string, name: string): Readonly<PersistentVolumeClaim> | undefined;
  storageClass(name: string): Readonly<StorageClass> | undefined;
  node(name: string): Readonly<Node> | undefined;
  pod(namespace: string, name: string): Readonly<Pod> | undefined;
  volumes: Writer<PersistentVolume> & { create(pv: PersistentVolume): Promise<PersistentVolume>; delete(name: string): Promise<void> };
  claims(namespace: string): Writer<PersistentVolumeClaim>;
  pods: { create(pod: Pod): Promise<Pod>; delete(namespace: string, name: string): Promise<void> };
  recorder: { event(obj: Readonly<KubeObject>, type: 'Normal' | 'Warning', reason: string, message: string): void };
  /** Where a node without the local-path annotation keeps local-path volumes. */
  defaultLocalPathDir: string;
  /** The image of the helper pod that removes a deleted volume's directory on its node. */
  helperImage: string;
}

export function binderEnv(client: KubeClient, informers: SharedInformerFactory, recorder: BinderEnv['recorder'], o: { defaultLocalPathDir: string; helperImage: string }): BinderEnv {
  const pvs = informers.informerFor<PersistentVolume>(resources.persistentvolumes);
  const pvcs = informers.informerFor<PersistentVolumeClaim>(resources.persistentvolumeclaims);
  const classes = informers.informerFor<StorageClass>(resources.storageclasses);
  const nodes = informers.informerFor<Node>(resources.nodes);
  const pods = informers.informerFor<Pod>(resources.pods);
  const pvApi = client.resource<PersistentVolume>(resources.persistentvolumes);
  return {
    volume: (name) => pvs.indexer.get(name),
    allVolumes: () => pvs.indexer.list(),
    claim: (ns, name) => pvcs.indexer.get(`${ns}/${name}`),
    storageClass: (name) => classes.indexer.get(name),
    node: (name) => nodes.indexer.get(name),
    pod: (ns, name) => pods.indexer.get(`${ns}/${name}`),
    volumes: {
      update: (pv) => pvApi.update(pv),
      updateStatus: (pv) => pvApi.updateStatus(pv),
      create: (pv) => pvApi.create(pv),
      delete: async (name) => {
        await pvApi.delete(name);
      },
    },
    claims: (ns) => {
      const api = client.resource<PersistentVolumeClaim>(resources.persistentvolumeclaims, ns);
      return { update: (c) => api.update(c), updateStatus: (c) => api.updateStatus(c) };
    },
    pods: {
      create: (pod) => client.resource<Pod>(resources.pods, pod.metadata.namespace).create(pod),
      delete: async (ns, name) => {
        await client.resource<Pod>(resources.pods, ns).delete(name, { gracePeriodSeconds: 0 });
      },
    },
    recorder,
    ...o,
  };
}
