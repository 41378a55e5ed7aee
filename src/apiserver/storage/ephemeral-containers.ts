/**
 * pods/ephemeralcontainers (upstream pkg/registry/core/pod: EphemeralContainersREST with
 * podEphemeralContainersStrategy): reads and writes the Pod itself, but a write through it changes
 * only spec.ephemeralContainers (dropNonEphemeralContainerUpdates: the rest of the spec and the
 * status stay as stored, labels, annotations, finalizers and owners too, as ResetObjectMetaForStatus)
 * and is validated by ValidatePodEphemeralContainersUpdate instead of the pod's update rules.
 */
import { validateEphemeralContainersUpdate } from '../../api/kinds/core/ephemeral-container-validation.js';
import { cloneJson } from '../../api/json-clone.js';
import type { KubeObject } from '../../api/meta.js';
import { fe } from '../../api/schema/errors.js';
import type { FieldError } from '../../api/status.js';
import type { StorageCore } from './storage-core.js';
import type { UpdateOptions } from './update.js';

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const RESET_META = ['labels', 'annotations', 'finalizers', 'ownerReferences', 'deletionTimestamp'] as const;

/** The stored pod with the candidate's ephemeral containers (and its ordinary metadata). */
function dropNonEphemeralContainerUpdates(obj: KubeObject, old: KubeObject): void {
  const ephemeral = obj.spec?.ephemeralContainers;
  obj.spec = cloneJson(old.spec ?? {});
  if (ephemeral === undefined) delete obj.spec.ephemeralContainers;
  else obj.spec.ephemeralContainers = ephemeral;
  const meta = obj.metadata as Record<string, unknown>;
  const before = old.metadata as Record<string, unknown>;
  for (const k of RESET_META) {
    if (before[k] === undefined) delete meta[k];
    else meta[k] = cloneJson(before[k]);
  }
}

/** The update options of a write through the subresource (the caller adds its own). */
export function ephemeralContainersUpdate(core: StorageCore): UpdateOptions {
  return {
    subresource: 'ephemeralcontainers',
    prepare: dropNonEphemeralContainerUpdates,
    // The whole pod as on create (structure, the PodSpec's rules with validateEphemeralContainers),
    // not the pod's update rules (its spec may change here), then the subresource's own rules.
    validate: (obj, old) => {
      if (old.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return [fe.forbidden('', 'static pods do not support ephemeral containers')];
      const errs: FieldError[] = [...core.def.validate(obj)];
      errs.push(...validateEphemeralContainersUpdate(obj.spec?.ephemeralContainers, old.spec?.ephemeralContainers));
      return errs;
    },
  };
}
