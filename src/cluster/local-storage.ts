/**
 * The default StorageClass every Bosun cluster has, as k3s's local-storage addon: `local-path`,
 * marked default (storageclass.kubernetes.io/is-default-class), provisioner bosun.dev/local-path
 * (the PV controller provisions node-local volumes for it), WaitForFirstConsumer (the scheduler
 * picks the node first), reclaimPolicy Delete. Created at server start when missing; an
 * administrator's changes to it (or its deletion after start) are left alone until the next start.
 */
import type { StorageClass } from '../api/kinds/index.js';
import { DEFAULT_CLASS_ANNOTATION } from '../api/kinds/index.js';
import { LOCAL_PATH_CLASS, LOCAL_PATH_PROVISIONER } from '../api/storage/annotations.js';
import { isAlreadyExists } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';

export const localPathClass: StorageClass = {
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
  metadata: { name: LOCAL_PATH_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
  provisioner: LOCAL_PATH_PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
};

export async function ensureLocalPathClass(client: KubeClient): Promise<void> {
  try {
    await client.resource<StorageClass>(resources.storageclasses).create(structuredClone(localPathClass));
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}
