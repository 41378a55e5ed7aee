/**
 * persistentVolumeClaim volumes on the node (the kubelet's volume manager resolving a claim to its
 * PersistentVolume, then the hostPath or local plugin): claim -> bound PV -> a host path. The node
 * authorizer lets a node get exactly the claims of its pods and the volumes bound to them.
 *
 * A hostPath PV is checked against its type; a local-path volume's directory is made on first use,
 * on this node, mode 0777 as k3s's; a local PV's path must exist. Messages for a claim
 * that is missing or not bound are the kubelet's (desired_state_of_world_populator.go).
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/kinds/index.js';
import { ANN_PROVISIONED_BY, LOCAL_PATH_PROVISIONER } from '../../api/storage/annotations.js';
import { isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { VolumeSetupError } from './projections.js';

/** Where this node's local-path volumes live (published on the Node, used by the provisioner). */
export const localPathDir = (dataDir: string): string => join(dataDir, 'storage');

export interface ClaimSource {
  /** The host path to mount. */
  path: string;
  /** hostPath's type to check (or create with), or 'local' for a local PV. */
  type: string;
}

/** Resolves a pod's claim to what backs it; throws VolumeSetupError when it cannot be mounted yet. */
export type ClaimResolver = (namespace: string, claimName: string) => Promise<ClaimSource>;

async function getOrUndefined<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function apiClaimResolver(client: KubeClient): ClaimResolver {
  return async (ns, name) => {
    const pvc = await getOrUndefined(() => client.resource<PersistentVolumeClaim>(resources.persistentvolumeclaims, ns).get(name));
    if (!pvc) throw new VolumeSetupError(`persistentvolumeclaim "${name}" not found`);
    if (pvc.metadata.deletionTimestamp) throw new VolumeSetupError(`can't start pod because PVC ${ns}/${name} is being deleted`);
    const volumeName = pvc.spec?.volumeName ?? '';
    if (pvc.status?.phase !== 'Bound' || !volumeName) {
      throw new VolumeSetupError(`PVC ${ns}/${name} has non-bound phase ("${pvc.status?.phase ?? ''}") or empty pvc.Spec.VolumeName ("${volumeName}")`);
    }
    const pv = await getOrUndefined(() => client.resource<PersistentVolume>(resources.persistentvolumes).get(volumeName));
    if (!pv) throw new VolumeSetupError(`persistentvolume "${volumeName}" not found`);
    const ref = pv.spec?.claimRef;
    if (ref?.uid && ref.uid !== pvc.metadata.uid) throw new VolumeSetupError(`The claim ${ns}/${name} is not bound to volume ${volumeName}`);
    const path = pv.spec?.hostPath?.path;
    if (path && pv.metadata.annotations?.[ANN_PROVISIONED_BY] === LOCAL_PATH_PROVISIONER && !existsSync(path)) {
      // As k3s's local-path setup (mkdir -m 0777): any pod user may write its own volume.
      mkdirSync(path, { recursive: true, mode: 0o777 });
      chmodSync(path, 0o777);
    }
    if (pv.spec?.hostPath?.path) return { path: pv.spec.hostPath.path, type: pv.spec.hostPath.type ?? '' };
    if (pv.spec?.local?.path) {
      if (!existsSync(pv.spec.local.path)) throw new VolumeSetupError(`path "${pv.spec.local.path}" does not exist`);
      return { path: pv.spec.local.path, type: 'local' };
    }
    throw new VolumeSetupError(`volume ${volumeName} has a type this node does not support (only hostPath and local)`);
  };
}
