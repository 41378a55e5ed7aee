/**
 * One volume's sync, as upstream's syncVolume and reclaimVolume: Available when free, Bound when its
 * claim names it, Released when its claim is gone (a claim recreated under the same name is another
 * claim: the uid differs), then the reclaim policy: Retain keeps it Released for an administrator,
 * Delete removes it (local-path volumes through local-path.ts; other plugins have no deleter here,
 * which leaves the volume Failed with upstream's message), Recycle is not supported (Failed).
 */
import type { Node, PersistentVolume } from '../../api/kinds/index.js';
import { ANN_BOUND_BY_CONTROLLER, ANN_PROVISIONED_BY, LOCAL_PATH_PROVISIONER } from '../../api/storage/annotations.js';
import type { BinderEnv } from './binder-env.js';
import { deleteLocalPath } from './local-path.js';

type Phase = 'Available' | 'Bound' | 'Released' | 'Failed';

async function setPhase(env: BinderEnv, pv: Readonly<PersistentVolume>, phase: Phase, message = ''): Promise<PersistentVolume | Readonly<PersistentVolume>> {
  if (pv.status?.phase === phase && (pv.status?.message ?? '') === message) return pv;
  return env.volumes.updateStatus({ ...pv, status: { ...pv.status, phase, message, reason: '' } });
}

async function reclaim(env: BinderEnv, pv: Readonly<PersistentVolume>, nodes: readonly Readonly<Node>[]): Promise<void> {
  const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
  if (policy === 'Retain') return;
  if (policy === 'Recycle') {
    const msg = 'No recycler plugin found for the volume!';
    if (pv.status?.phase !== 'Failed') env.recorder.event(pv, 'Warning', 'VolumeFailedRecycle', msg);
    await setPhase(env, pv, 'Failed', msg);
    return;
  }
  if (pv.metadata.annotations?.[ANN_PROVISIONED_BY] === LOCAL_PATH_PROVISIONER && pv.spec?.hostPath) {
    await deleteLocalPath(env, pv, nodes);
    return;
  }
  const msg = `error getting deleter volume plugin for volume "${pv.metadata.name}": no deletable volume plugin matched`;
  if (pv.status?.phase !== 'Failed') env.recorder.event(pv, 'Warning', 'VolumeFailedDelete', msg);
  await setPhase(env, pv, 'Failed', msg);
}

export async function syncVolume(env: BinderEnv, pv: Readonly<PersistentVolume>, nodes: readonly Readonly<Node>[]): Promise<void> {
  if (pv.metadata.deletionTimestamp) return;
  const ref = pv.spec?.claimRef;
  if (!ref || !ref.uid) {
    // Free, or pre-bound by an administrator to a claim that has not bound yet.
    await setPhase(env, pv, 'Available');
    return;
  }
  const found = env.claim(ref.namespace ?? '', ref.name ?? '');
  const claim = found && found.metadata.uid === ref.uid ? found : undefined;
  if (!claim) {
    if (pv.status?.phase === 'Failed') return;
    const released = pv.status?.phase === 'Released' ? pv : await setPhase(env, pv, 'Released');
    await reclaim(env, released, nodes);
    return;
  }
  if (!claim.spec?.volumeName) return; // the binder is between its volume and claim writes
  if (claim.spec.volumeName === pv.metadata.name) {
    await setPhase(env, pv, 'Bound');
    return;
  }
  // The claim is bound to another volume: a binding the controller made is undone, a user's pre-binding loses its uid.
  const annotations = { ...pv.metadata.annotations };
  const boundByController = annotations[ANN_BOUND_BY_CONTROLLER] === 'yes';
  delete annotations[ANN_BOUND_BY_CONTROLLER];
  const spec = { ...pv.spec };
  if (boundByController) delete spec.claimRef;
  else spec.claimRef = { ...ref, uid: undefined, resourceVersion: undefined };
  const updated = await env.volumes.update({ ...pv, metadata: { ...pv.metadata, annotations }, spec });
  await setPhase(env, updated, 'Available');
}
