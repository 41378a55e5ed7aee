/**
 * Bosun's node-local provisioner, in-tree in the binder (k3s's local-path provisioner is the model):
 *
 * - provision: for a claim whose node is known (the scheduler's selected-node annotation, since the
 *   class binds WaitForFirstConsumer), a PV `pvc-<claim uid>` pre-bound to the claim, a hostPath of
 *   type DirectoryOrCreate at <node's local-path dir>/<pv name> (the agent makes the directory when
 *   it first mounts the volume) and a required node affinity to that node's hostname;
 * - delete (reclaim policy Delete): a helper pod on the volume's node removes the directory (the
 *   control plane cannot touch a node's disk, and everything goes through the API), then the PV is
 *   deleted. A volume whose node is gone is reported and kept.
 * A claim whose selected node is gone before its volume was made loses the selection (upstream's
 * provisioners reschedule so), and the scheduler chooses again.
 */
import { basename, dirname } from 'node:path';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../../api/kinds/index.js';
import { ANN_LOCAL_PATH_DIR, ANN_PROVISIONED_BY, ANN_SELECTED_NODE, LOCAL_PATH_PROVISIONER } from '../../api/storage/annotations.js';
import { volumeFitsNode } from '../../api/storage/volume-match.js';
import type { BinderEnv } from './binder-env.js';

export const HELPER_NAMESPACE = 'kube-system';
/** Label on a helper pod naming the volume it works for (the binder's volume queue maps pod events back). */
export const HELPER_FOR_LABEL = 'storage.bosun.dev/helper-for';
const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export const helperPodName = (pv: string): string => `helper-pod-delete-${pv}`.slice(0, 253);
export const provisionedVolumeName = (pvc: Readonly<PersistentVolumeClaim>): string => `pvc-${pvc.metadata.uid}`;

export async function provisionLocalPath(env: BinderEnv, pvc: Readonly<PersistentVolumeClaim>, sc: Readonly<StorageClass>, node: Readonly<Node> | undefined, selectedNode: string | undefined): Promise<void> {
  if (!node) {
    const why = selectedNode ? `node "${selectedNode}" not found` : 'configuration error, no node was specified';
    env.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": ${why}`);
    if (selectedNode) {
      // As the external provisioners' rescheduling: drop the choice so the scheduler picks a node that exists.
      const annotations = { ...pvc.metadata.annotations };
      delete annotations[ANN_SELECTED_NODE];
      await env.claims(pvc.metadata.namespace!).update({ ...pvc, metadata: { ...pvc.metadata, annotations } });
    }
    return;
  }
  const name = provisionedVolumeName(pvc);
  if (env.volume(name)) return; // made already; the claim binds it on its next sync
  const dir = node.metadata.annotations?.[ANN_LOCAL_PATH_DIR] ?? env.defaultLocalPathDir;
  const hostname = node.metadata.labels?.[HOSTNAME_LABEL] ?? node.metadata.name!;
  const pv: PersistentVolume = {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name, annotations: { [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER } },
    spec: {
      capacity: { storage: String(pvc.spec?.resources?.requests?.storage) },
      accessModes: [...(pvc.spec?.accessModes ?? [])],
      persistentVolumeReclaimPolicy: (sc.reclaimPolicy ?? 'Delete') as 'Delete',
      storageClassName: sc.metadata.name,
      volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      ...(sc.mountOptions ? { mountOptions: [...sc.mountOptions] } : {}),
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion },
      hostPath: { path: `${dir}/${name}`, type: 'DirectoryOrCreate' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [hostname] }] }] } },
    },
  };
  await env.volumes.create(pv);
  env.recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name} using ${LOCAL_PATH_PROVISIONER}`);
}

function helperPod(pv: Readonly<PersistentVolume>, nodeName: string, image: string): Pod {
  const path = pv.spec!.hostPath!.path;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: helperPodName(pv.metadata.name!), namespace: HELPER_NAMESPACE, labels: { [HELPER_FOR_LABEL]: pv.metadata.name! } },
    spec: {
      nodeName, restartPolicy: 'Never', terminationGracePeriodSeconds: 0,
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'helper-pod', image, command: ['rm', '-rf', `/data/${basename(path)}`], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', hostPath: { path: dirname(path), type: 'DirectoryOrCreate' } }],
    },
  };
}

/** One step of deleting a Released local-path volume; true once the PV deletion was requested. */
export async function deleteLocalPath(env: BinderEnv, pv: Readonly<PersistentVolume>, nodes: readonly Readonly<Node>[]): Promise<boolean> {
  const path = pv.spec?.hostPath?.path;
  const base = path ? basename(path) : '';
  if (!path || !base || base === '..' || base === '.' || base !== pv.metadata.name) {
    env.recorder.event(pv, 'Warning', 'VolumeFailedDelete', `volume ${pv.metadata.name} has no local-path directory of its own to delete`);
    return false;
  }
  const helper = env.pod(HELPER_NAMESPACE, helperPodName(pv.metadata.name!));
  if (!helper) {
    const node = nodes.find((n) => volumeFitsNode(pv, n));
    if (!node) {
      env.recorder.event(pv, 'Warning', 'VolumeFailedDelete', `the node of volume ${pv.metadata.name} is gone; its directory ${path} was not deleted`);
      return false;
    }
    await env.pods.create(helperPod(pv, node.metadata.name!, env.helperImage));
    return false;
  }
  const phase = helper.status?.phase;
  if (phase === 'Failed') {
    env.recorder.event(pv, 'Warning', 'VolumeFailedDelete', `helper pod ${HELPER_NAMESPACE}/${helper.metadata.name} failed to delete ${path}`);
    await env.pods.delete(HELPER_NAMESPACE, helper.metadata.name!);
    return false;
  }
  if (phase !== 'Succeeded') return false;
  await env.pods.delete(HELPER_NAMESPACE, helper.metadata.name!);
  await env.volumes.delete(pv.metadata.name!);
  return true;
}
