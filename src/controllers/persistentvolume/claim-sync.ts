/**
 * One claim's sync, as upstream's syncClaim (pkg/controller/volume/persistentvolume/pv_controller.go):
 *
 * - unbound (no spec.volumeName): with a WaitForFirstConsumer class and no selected node, wait for the
 *   scheduler; else bind the best matching volume (volume-match.ts); with none, provision through the
 *   class's provisioner (Bosun's local-path, in-tree here), or tell why the claim stays Pending;
 * - pre-bound to a volume by name: bind it when it is free and satisfies the claim;
 * - bound: keep claim and volume consistent; a volume gone or bound elsewhere makes the claim Lost.
 */
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../api/kinds/index.js';
import { accessModesContain, storageOf, ZERO } from '../../api/kinds/index.js';
import {
  ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, LOCAL_PATH_PROVISIONER,
} from '../../api/storage/annotations.js';
import { claimClass, findBestMatch, isVolumeBoundToClaim, volumeClass } from '../../api/storage/volume-match.js';
import type { BinderEnv } from './binder-env.js';
import { provisionLocalPath } from './local-path.js';

const yes = 'yes';

function claimRefOf(pvc: Readonly<PersistentVolumeClaim>): NonNullable<PersistentVolume['spec']>['claimRef'] {
  return {
    kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata.namespace, name: pvc.metadata.name,
    uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion,
  };
}

/** bindVolumeToClaim + bindClaimToVolume + updateClaimStatus, in upstream's order (volume first). */
export async function bind(env: BinderEnv, pvc: Readonly<PersistentVolumeClaim>, pv: Readonly<PersistentVolume>): Promise<void> {
  let volume = pv;
  if (!isVolumeBoundToClaim(pv, pvc) || !pv.spec?.claimRef?.uid) {
    const annotations = pv.spec?.claimRef ? pv.metadata.annotations : { ...pv.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: yes };
    volume = await env.volumes.update({ ...pv, metadata: { ...pv.metadata, annotations }, spec: { ...pv.spec, claimRef: claimRefOf(pvc) } });
  }
  if (volume.status?.phase !== 'Bound') {
    volume = await env.volumes.updateStatus({ ...volume, status: { ...volume.status, phase: 'Bound', message: '', reason: '' } });
  }
  let claim = pvc;
  const ann = claim.metadata.annotations ?? {};
  if (claim.spec?.volumeName !== volume.metadata.name || ann[ANN_BIND_COMPLETED] !== yes) {
    const annotations: Record<string, string> = { ...ann, [ANN_BIND_COMPLETED]: yes };
    if (!claim.spec?.volumeName) annotations[ANN_BOUND_BY_CONTROLLER] = yes;
    claim = await env.claims(pvc.metadata.namespace!).update({ ...claim, metadata: { ...claim.metadata, annotations }, spec: { ...claim.spec, volumeName: volume.metadata.name } });
  }
  const st = claim.status ?? {};
  if (st.phase !== 'Bound' || JSON.stringify(st.capacity) !== JSON.stringify(volume.spec?.capacity) || JSON.stringify(st.accessModes) !== JSON.stringify(volume.spec?.accessModes)) {
    await env.claims(pvc.metadata.namespace!).updateStatus({ ...claim, status: { ...st, phase: 'Bound', accessModes: volume.spec?.accessModes, capacity: volume.spec?.capacity } });
    env.recorder.event(claim, 'Normal', 'Bound', `Successfully bound to volume ${volume.metadata.name}`);
  }
}

async function setClaimPhase(env: BinderEnv, pvc: Readonly<PersistentVolumeClaim>, phase: 'Pending' | 'Lost'): Promise<void> {
  if (pvc.status?.phase === phase) return;
  await env.claims(pvc.metadata.namespace!).updateStatus({ ...pvc, status: { ...pvc.status, phase } });
}

/** checkVolumeSatisfyClaim: size, class, volume mode and access modes of a volume the claim names. */
function unsatisfied(pvc: Readonly<PersistentVolumeClaim>, pv: Readonly<PersistentVolume>): string | undefined {
  const want = storageOf(pvc.spec?.resources?.requests) ?? ZERO;
  if ((storageOf(pv.spec?.capacity) ?? ZERO).cmp(want) < 0) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(pvc)) return 'storageClassName does not match';
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) return 'incompatible volumeMode';
  if (!accessModesContain(pv.spec?.accessModes, pvc.spec?.accessModes)) return 'incompatible accessMode';
  return undefined;
}

async function syncUnboundClaim(env: BinderEnv, pvc: Readonly<PersistentVolumeClaim>): Promise<void> {
  const className = claimClass(pvc);
  const sc: Readonly<StorageClass> | undefined = className ? env.storageClass(className) : undefined;
  const delayBinding = sc?.volumeBindingMode === 'WaitForFirstConsumer';
  const selectedNode = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
  if (!pvc.spec?.volumeName) {
    const pv = findBestMatch(pvc, env.allVolumes(), undefined, delayBinding);
    if (pv) return bind(env, pvc, pv);
    if (delayBinding && !selectedNode) {
      env.recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      return setClaimPhase(env, pvc, 'Pending');
    }
    if (!className) {
      env.recorder.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    } else if (!sc) {
      env.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
    } else if (sc.provisioner === LOCAL_PATH_PROVISIONER) {
      await provisionLocalPath(env, pvc, sc, selectedNode ? env.node(selectedNode) : undefined, selectedNode);
    } else if (pvc.metadata.annotations?.[ANN_STORAGE_PROVISIONER] !== sc.provisioner) {
      // An external provisioner's claim: say whose it is, as upstream does, and leave it to that provisioner.
      await env.claims(pvc.metadata.namespace!).update({ ...pvc, metadata: { ...pvc.metadata, annotations: { ...pvc.metadata.annotations, [ANN_STORAGE_PROVISIONER]: sc.provisioner } } });
      env.recorder.event(pvc, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
    }
    return setClaimPhase(env, pvc, 'Pending');
  }
  // Pre-bound by name (spec.volumeName set by the user).
  const pv = env.volume(pvc.spec.volumeName);
  if (!pv) {
    env.recorder.event(pvc, 'Normal', 'FailedBinding', `volume "${pvc.spec.volumeName}" not found`);
    return setClaimPhase(env, pvc, 'Pending');
  }
  if (!pv.spec?.claimRef || isVolumeBoundToClaim(pv, pvc)) {
    const why = unsatisfied(pvc, pv);
    if (why) {
      env.recorder.event(pvc, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${pv.metadata.name}": ${why}`);
      return setClaimPhase(env, pvc, 'Pending');
    }
    return bind(env, pvc, pv);
  }
  env.recorder.event(pvc, 'Warning', 'FailedBinding', `volume "${pv.metadata.name}" already bound to a different claim.`);
  return setClaimPhase(env, pvc, 'Pending');
}

async function syncBoundClaim(env: BinderEnv, pvc: Readonly<PersistentVolumeClaim>): Promise<void> {
  const pv = env.volume(pvc.spec!.volumeName!);
  if (!pv) {
    if (pvc.status?.phase !== 'Lost') env.recorder.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
    return setClaimPhase(env, pvc, 'Lost');
  }
  if (!pv.spec?.claimRef || isVolumeBoundToClaim(pv, pvc)) return bind(env, pvc, pv);
  if (pvc.status?.phase !== 'Lost') env.recorder.event(pvc, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
  return setClaimPhase(env, pvc, 'Lost');
}

export async function syncClaim(env: BinderEnv, pvc: Readonly<PersistentVolumeClaim>): Promise<void> {
  if (pvc.metadata.deletionTimestamp) return;
  if (pvc.metadata.annotations?.[ANN_BIND_COMPLETED] === yes && pvc.spec?.volumeName) return syncBoundClaim(env, pvc);
  return syncUnboundClaim(env, pvc);
}

