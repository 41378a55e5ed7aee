/**
 * The VolumeBinding plugin's reads (the scheduler's informers for claims, volumes and classes) and
 * writes (the API), and upstream's wait in PreBind: until the PV controller has bound every claim
 * (bindTimeoutSeconds, 600 s), checking the claims' cache as it changes.
 */
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../api/kinds/index.js';
import type { KubeClient } from '../../../client/kube-client.js';
import { resources } from '../../../client/resource-ref.js';
import type { SharedInformer, SharedInformerFactory } from '../../../controller-runtime/informer/index.js';
import type { VolumeBindingDeps } from './volume-binding.js';

export const BIND_TIMEOUT_MS = 600_000;
const POLL_MS = 100;

export interface VolumeInformers {
  claims: SharedInformer<PersistentVolumeClaim>;
  volumes: SharedInformer<PersistentVolume>;
  classes: SharedInformer<StorageClass>;
}

/** Registers the three informers on `factory` (call before it starts). */
export function volumeInformers(factory: SharedInformerFactory): VolumeInformers {
  return {
    claims: factory.informerFor<PersistentVolumeClaim>(resources.persistentvolumeclaims),
    volumes: factory.informerFor<PersistentVolume>(resources.persistentvolumes),
    classes: factory.informerFor<StorageClass>(resources.storageclasses),
  };
}

/** Deps reading `informers()` at call time (the scheduler makes them when it starts). */
export function volumeBindingDeps(client: KubeClient, informers: () => VolumeInformers | undefined, timeoutMs = BIND_TIMEOUT_MS): VolumeBindingDeps {
  const inf = (): VolumeInformers => {
    const i = informers();
    if (!i) throw new Error('VolumeBinding: informers not started');
    return i;
  };
  return {
    claim: (ns, name) => inf().claims.indexer.get(`${ns}/${name}`),
    volume: (name) => inf().volumes.indexer.get(name),
    volumes: () => inf().volumes.indexer.list(),
    storageClass: (name) => inf().classes.indexer.get(name),
    updateVolume: async (pv) => {
      await client.resource<PersistentVolume>(resources.persistentvolumes).update(pv);
    },
    updateClaim: async (pvc) => {
      await client.resource<PersistentVolumeClaim>(resources.persistentvolumeclaims, pvc.metadata.namespace).update(pvc);
    },
    async waitBound(ns, names, signal) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const claims = names.map((n) => inf().claims.indexer.get(`${ns}/${n}`));
        const gone = names.find((_, i) => !claims[i]);
        if (gone) throw new Error(`persistentvolumeclaim "${gone}" not found`);
        if (claims.every((c) => c!.status?.phase === 'Bound' && c!.spec?.volumeName)) return;
        if (Date.now() > deadline || signal?.aborted) throw new Error('timed out waiting for the condition');
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    },
  };
}
